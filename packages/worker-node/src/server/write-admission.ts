import { MiniodbError } from "@miniodb/core";

/** Tells whether this worker owns the shards of records, by its current view of the ring. */
export interface ShardOwnership {
  /**
   * Resolves with the ids (of `table`) whose shard this worker does not own; refreshes its view
   * of the ring once before saying so.
   */
  unowned(table: string, ids: readonly string[]): Promise<string[]>;
}

/**
 * Decides which writes a worker accepts: none while it is draining (leaving the cluster), none for
 * shards it does not own. Both refusals are retryable: the sender refreshes its ring and re-routes.
 * Counts the writes in progress so a drain can wait for them before its last flush.
 */
export class WriteAdmission {
  readonly #ownership: ShardOwnership;
  #draining = false;
  #inFlight = 0;
  #idle: Array<() => void> = [];
  readonly #running = new Set<Promise<unknown>>();

  constructor(ownership: ShardOwnership) {
    this.#ownership = ownership;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Runs `write` if every id's shard is owned here; throws a retryable error otherwise. */
  async run<T>(table: string, ids: readonly string[], write: () => Promise<T>): Promise<T> {
    this.#checkDraining();
    this.#inFlight++;
    try {
      const unowned = await this.#ownership.unowned(table, ids);
      if (unowned.length > 0) {
        throw new MiniodbError(
          "aborted",
          `this worker does not own the shard of ${unowned.length} of the records (e.g. id ${JSON.stringify(unowned[0])}); refresh the ring and retry`,
          { details: { reason: "shard_moved" } },
        );
      }
      this.#checkDraining();
      const writing = write();
      this.#running.add(writing);
      try {
        return await writing;
      } finally {
        this.#running.delete(writing);
      }
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  /**
   * Resolves once every write admitted so far has finished (later ones are not waited for): after
   * the ownership view changed, the writes it admitted under the old view are done.
   */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  /** Refuses new writes from now on and resolves once the writes in progress have finished. */
  async drain(): Promise<void> {
    this.#draining = true;
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #checkDraining(): void {
    if (this.#draining) {
      throw new MiniodbError(
        "unavailable",
        "this worker is leaving the cluster; refresh the ring and retry",
        {
          details: { reason: "draining" },
        },
      );
    }
  }
}
