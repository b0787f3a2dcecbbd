import type { MetadataStore } from "@miniodb/core";

export interface WalMarkPublisherOptions {
  readonly metadata: MetadataStore;
  readonly nodeId: string;
  readonly now: () => number;
  /** An unchanged mark is stored again after this long (a wiped store gets it back). Default 30 s. */
  readonly refreshMs?: number;
}

/**
 * Keeps a worker's WAL low-water mark in the metadata store (`putWalMark`), where compaction reads
 * it: a tombstone at or above the mark of a worker it could not ask may still hide a row that
 * worker's WAL holds, so it stays. A mark, once computed, stays valid (rows only ever leave the
 * WAL, and later ones are higher), so a store that lags behind is merely cautious; stores run one
 * at a time, in order. `release` removes the mark when the worker leaves with its WAL empty.
 */
export class WalMarkPublisher {
  readonly #options: WalMarkPublisherOptions;
  #stored: { sequence: bigint; atMs: number } | undefined;
  /** The last store queued; each store starts once the one before it has settled. */
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;
  #released = false;

  constructor(options: WalMarkPublisherOptions) {
    this.#options = options;
  }

  /** Stores `sequence` after the stores queued before; rejects when the store fails. */
  publish(sequence: bigint): Promise<void> {
    this.#queued++;
    const run = this.#tail
      .catch(() => undefined)
      .then(() => (this.#released ? undefined : this.#store(sequence)))
      .finally(() => this.#queued--);
    this.#tail = run;
    return run;
  }

  /**
   * Stores `sequence` if it differs from the stored mark, or the stored one is older than
   * `refreshMs`; skipped while a store is queued, and a failure is left for the next call.
   */
  async refresh(sequence: bigint): Promise<void> {
    if (this.#queued > 0 || this.#released) return;
    const stored = this.#stored;
    const fresh = stored && this.#options.now() - stored.atMs < (this.#options.refreshMs ?? 30_000);
    if (stored?.sequence === sequence && fresh) return;
    await this.publish(sequence).catch(() => undefined);
  }

  /** Removes the mark (the WAL holds no unflushed row) and stores no other from now on. */
  async release(): Promise<void> {
    this.#released = true;
    await this.#tail.catch(() => undefined);
    await this.#options.metadata.removeWalMark(this.#options.nodeId);
  }

  async #store(sequence: bigint): Promise<void> {
    const atMs = this.#options.now();
    await this.#options.metadata.putWalMark({
      nodeId: this.#options.nodeId,
      sequence,
      updatedAt: new Date(atMs),
    });
    this.#stored = { sequence, atMs };
  }
}
