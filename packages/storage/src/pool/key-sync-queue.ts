import { MiniodbError } from "@miniodb/core";

/** How far a queue is behind: what a status page shows as replication lag. */
export interface ReplicationLag {
  readonly pendingObjects: number;
  /** Sizes known when the keys were queued (0 for deletes). */
  readonly pendingBytes: number;
  /** Age of the oldest key still waiting, 0 when none is. */
  readonly oldestPendingAgeMs: number;
  /** The last failure of a sync, cleared by the next success. */
  readonly lastError?: { readonly message: string; readonly code: string; readonly at: Date };
}

export interface KeySyncQueueOptions {
  /** Copies one key; the queue never runs two syncs of the same key at once. */
  readonly sync: (key: string) => Promise<void>;
  readonly concurrency: number;
  /** Pause after a failed sync before the queue tries again. */
  readonly retryDelayMs: number;
  readonly now: () => number;
}

interface Entry {
  readonly since: number;
  bytes: number;
}

/**
 * Keys waiting to be copied from one store to another, coalesced by key: a key queued again while
 * it waits is synced once, and a key queued while its sync runs is synced again afterwards. A
 * failed sync keeps its key (with its original age) and pauses the whole queue for
 * `retryDelayMs`, so a dead store is not hammered. Paused queues keep their keys.
 */
export class KeySyncQueue {
  readonly #options: KeySyncQueueOptions;
  readonly #pending = new Map<string, Entry>();
  readonly #inFlight = new Map<string, { entry: Entry; done: Promise<void> }>();
  #paused = false;
  #backoff: NodeJS.Timeout | undefined;
  #lastError: ReplicationLag["lastError"];
  #waiters: (() => void)[] = [];

  constructor(options: KeySyncQueueOptions) {
    this.#options = options;
  }

  add(key: string, bytes: number): void {
    const entry = this.#pending.get(key);
    if (entry) entry.bytes = bytes;
    else this.#pending.set(key, { since: this.#options.now(), bytes });
    this.#pump();
  }

  /** Forgets a waiting key (its sync is no longer wanted); a running sync is not stopped. */
  remove(key: string): void {
    this.#pending.delete(key);
    this.#pump();
  }

  has(key: string): boolean {
    return this.#pending.has(key) || this.#inFlight.has(key);
  }

  get size(): number {
    return this.#waiting().length;
  }

  /** Resolves once no sync of `key` is running. */
  async settled(key: string): Promise<void> {
    await this.#inFlight.get(key)?.done;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  lag(): ReplicationLag {
    const entries = this.#waiting();
    const oldest = entries.reduce((min, entry) => Math.min(min, entry.since), Infinity);
    return {
      pendingObjects: entries.length,
      pendingBytes: entries.reduce((sum, entry) => sum + entry.bytes, 0),
      oldestPendingAgeMs: entries.length === 0 ? 0 : Math.max(0, this.#options.now() - oldest),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  /** Waits until nothing is pending or running; false when `timeoutMs` passed first. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.size === 0) return true;
    return new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      // Not unref'd: whoever awaits a drain wants the process to live until it ends.
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== wake);
        resolve(false);
      }, timeoutMs);
      this.#waiters.push(wake);
    });
  }

  /** Stops the backoff timer; waiting keys stay for `lag()` to report. */
  stop(): void {
    this.#paused = true;
    clearTimeout(this.#backoff);
  }

  /** Every key not yet synced: waiting ones, and running ones not queued again. */
  #waiting(): Entry[] {
    const entries = [...this.#pending.values()];
    for (const [key, { entry }] of this.#inFlight) if (!this.#pending.has(key)) entries.push(entry);
    return entries;
  }

  #nextKey(): string | undefined {
    for (const key of this.#pending.keys()) if (!this.#inFlight.has(key)) return key;
    return undefined;
  }

  #pump(): void {
    while (!this.#paused && !this.#backoff && this.#inFlight.size < this.#options.concurrency) {
      const key = this.#nextKey();
      if (key === undefined) break;
      const entry = this.#pending.get(key)!;
      this.#pending.delete(key);
      const done = this.#run(key, entry);
      this.#inFlight.set(key, { entry, done });
    }
    if (this.size === 0) for (const wake of this.#waiters.splice(0)) wake();
  }

  async #run(key: string, entry: Entry): Promise<void> {
    await Promise.resolve(); // let #pump record the key as in flight first
    try {
      await this.#options.sync(key);
      this.#lastError = undefined;
    } catch (error) {
      const failure = MiniodbError.from(error);
      this.#lastError = { message: failure.message, code: failure.code, at: new Date(this.#options.now()) };
      const newer = this.#pending.get(key);
      this.#pending.delete(key);
      this.#pending.set(key, { since: entry.since, bytes: newer?.bytes ?? entry.bytes });
      this.#startBackoff();
    } finally {
      this.#inFlight.delete(key);
      this.#pump();
    }
  }

  #startBackoff(): void {
    if (this.#backoff) return;
    this.#backoff = setTimeout(() => {
      this.#backoff = undefined;
      this.#pump();
    }, this.#options.retryDelayMs);
    this.#backoff.unref();
  }
}
