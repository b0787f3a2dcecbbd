import { MiniodbError, type ByteRange, type ObjectInfo, type ObjectStore } from "@miniodb/core";
import { diffListings } from "./diff-listings.js";
import { KeySyncQueue } from "./key-sync-queue.js";
import type { PrimaryBackupPoolOptions, PrimaryBackupPoolStatus } from "./primary-backup-pool-options.js";
import { syncKey } from "./sync-key.js";

type PoolSettings = Required<Omit<PrimaryBackupPoolOptions, "primary" | "backup" | "onStateChange">>;

/** Any key does: a probe only asks whether the primary answers, not what it holds. */
const PROBE_KEY = "miniodb-pool-probe";

/**
 * An ObjectStore over a primary and an optional backup store (a decorator of both).
 *
 * Writes go to the primary and are queued for asynchronous copying to the backup; a periodic
 * reconcile queues whatever the backup lacks. When the primary fails with `unavailable` or
 * `deadline_exceeded`, the call is served by the backup instead, and so is all traffic after it,
 * while a timer probes the primary. Writes and deletes served by the backup are recorded in a
 * copy-back queue; when the primary answers again that queue is drained (backup → primary) while
 * the backup still serves, and only then does traffic return to the primary.
 *
 * Deletes cannot resurrect: a delete served by the backup is a key in the copy-back queue, and
 * copying a key that the backup no longer holds deletes it on the primary. The reconcile runs
 * only while the primary serves and the copy-back queue is empty, and it never copies from the
 * backup, so a stale object on the primary is never brought back to the backup.
 *
 * Limits: the queues live in memory; a process that dies while failed over leaves the outage's
 * writes on the backup only. A read of an object whose newest version has not reached the backup
 * yet fails with `unavailable` during an outage rather than answering an older version or
 * not_found. The pool owns both stores and closes them.
 */
export class PrimaryBackupPool implements ObjectStore {
  readonly #primary: ObjectStore;
  readonly #backup: ObjectStore | undefined;
  readonly #options: PoolSettings;
  readonly #onStateChange: PrimaryBackupPoolOptions["onStateChange"];
  readonly #replication: KeySyncQueue;
  readonly #copyBack: KeySyncQueue;
  readonly #timers: NodeJS.Timeout[] = [];
  #active: "primary" | "backup" = "primary";
  #since: number;
  #failingBack = false;
  #probing = false;
  #backupWrites = 0;
  #closed = false;
  #lastError: PrimaryBackupPoolStatus["lastError"];
  #lastReconcile: PrimaryBackupPoolStatus["lastReconcile"];

  constructor(options: PrimaryBackupPoolOptions) {
    this.#primary = options.primary;
    this.#backup = options.backup;
    this.#onStateChange = options.onStateChange;
    this.#options = {
      replicationConcurrency: options.replicationConcurrency ?? 4,
      replicationRetryDelayMs: options.replicationRetryDelayMs ?? 1_000,
      reconcileIntervalMs: options.reconcileIntervalMs ?? 300_000,
      probeIntervalMs: options.probeIntervalMs ?? 5_000,
      primaryTimeoutMs: options.primaryTimeoutMs ?? 0,
      closeDrainTimeoutMs: options.closeDrainTimeoutMs ?? 10_000,
      now: options.now ?? Date.now,
    };
    const { primary, backup } = options;
    this.#since = this.#options.now();
    const queue = (source: ObjectStore, target: ObjectStore) =>
      new KeySyncQueue({
        sync: (key) => syncKey(source, target, key),
        concurrency: this.#options.replicationConcurrency,
        retryDelayMs: this.#options.replicationRetryDelayMs,
        now: this.#options.now,
      });
    const target = backup ?? primary;
    this.#replication = queue(primary, target);
    this.#copyBack = queue(target, primary);
    this.#copyBack.pause();
    if (backup) this.#startTimers();
  }

  put(key: string, body: Uint8Array): Promise<ObjectInfo> {
    return this.#write(key, body.length, (store) => store.put(key, body));
  }

  delete(key: string): Promise<void> {
    return this.#write(key, 0, (store) => store.delete(key));
  }

  /**
   * Reads from the active store. An object the primary has lost while the backup still holds it
   * (objects deleted on the primary behind the pool's back) is read from the backup.
   */
  async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    try {
      return await this.#read(key, (store) => store.get(key, range));
    } catch (error) {
      const backup = this.#backup;
      if (!backup || this.#active !== "primary" || !MiniodbError.is(error, "not_found")) throw error;
      return backup.get(key, range);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await this.#read(key, (store) => store.head(key));
    const backup = this.#backup;
    if (info || !backup || this.#active !== "primary") return info;
    return backup.head(key);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const backup = this.#backup;
    if (!backup) return yield* this.#primary.list(prefix);
    let last: string | undefined;
    if (this.#active === "primary") {
      try {
        for await (const info of this.#primary.list(prefix)) {
          last = info.key;
          yield info;
        }
        return;
      } catch (error) {
        if (!isOutage(error)) throw error;
        this.#failOver(error);
      }
    }
    // Carry on from the backup after the last key already listed.
    for await (const info of backup.list(prefix)) if (last === undefined || info.key > last) yield info;
  }

  /** Compares the two listings and queues what the backup lacks; returns how many were queued. */
  async reconcile(): Promise<number> {
    if (!this.#backup || this.#active !== "primary" || this.#copyBack.size > 0) return 0;
    let queued = 0;
    try {
      for await (const info of diffListings(this.#primary.list(""), this.#backup.list(""))) {
        if (this.#replication.has(info.key)) continue;
        this.#replication.add(info.key, info.size);
        queued++;
      }
    } catch (error) {
      this.#recordError(error, "primary");
      throw error;
    }
    this.#lastReconcile = { at: new Date(this.#options.now()), queued };
    return queued;
  }

  status(): PrimaryBackupPoolStatus {
    return {
      active: this.#active,
      since: new Date(this.#since),
      hasBackup: this.#backup !== undefined,
      failingBack: this.#failingBack,
      replication: this.#replication.lag(),
      copyBack: this.#copyBack.lag(),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
      ...(this.#lastReconcile ? { lastReconcile: this.#lastReconcile } : {}),
      closed: this.#closed,
    };
  }

  /**
   * Stops the timers, waits up to `closeDrainTimeoutMs` for pending replication, then closes both
   * stores. What could not be copied stays visible in `status()`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    if (this.#backup && this.#active === "primary")
      await this.#replication.drain(this.#options.closeDrainTimeoutMs);
    this.#replication.stop();
    this.#copyBack.stop();
    await Promise.all([this.#primary.close(), this.#backup?.close()]);
  }

  async #write<T>(key: string, bytes: number, write: (store: ObjectStore) => Promise<T>): Promise<T> {
    const backup = this.#backup;
    if (!backup) return write(this.#primary);
    if (this.#active === "primary") {
      try {
        const result = await this.#onPrimary(write);
        this.#replication.add(key, bytes);
        return result;
      } catch (error) {
        if (!isOutage(error)) throw error;
        this.#failOver(error);
      }
    }
    // The backup now gets the newest version: a copy from the primary still queued would be stale.
    this.#replication.remove(key);
    this.#backupWrites++;
    try {
      await this.#replication.settled(key);
      return await write(backup);
    } finally {
      this.#backupWrites--;
      this.#copyBack.add(key, bytes);
    }
  }

  async #read<T>(key: string, read: (store: ObjectStore) => Promise<T>): Promise<T> {
    const backup = this.#backup;
    if (!backup) return read(this.#primary);
    if (this.#active === "primary") {
      try {
        return await this.#onPrimary(read);
      } catch (error) {
        if (!isOutage(error)) throw error;
        this.#failOver(error);
      }
    }
    if (this.#replication.has(key)) {
      throw new MiniodbError(
        "unavailable",
        `the newest version of ${key} is only on the unreachable primary store`,
      );
    }
    return read(backup);
  }

  /** Runs a call on the primary, bounded by `primaryTimeoutMs` when set. */
  async #onPrimary<T>(call: (store: ObjectStore) => Promise<T>): Promise<T> {
    const limit = this.#options.primaryTimeoutMs;
    if (limit <= 0) return call(this.#primary);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new MiniodbError("deadline_exceeded", `primary object store gave no answer in ${limit} ms`)),
        limit,
      );
    });
    try {
      return await Promise.race([call(this.#primary), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #failOver(error: unknown): void {
    this.#recordError(error, "primary");
    if (this.#active === "backup") return;
    this.#active = "backup";
    this.#since = this.#options.now();
    this.#replication.pause();
    this.#onStateChange?.(this.status());
  }

  /** While the backup serves: probe the primary; once it answers, copy back, then switch. */
  async #probe(): Promise<void> {
    if (this.#active !== "backup" || this.#probing || this.#closed) return;
    this.#probing = true;
    try {
      await this.#onPrimary((store) => store.head(PROBE_KEY));
      this.#failingBack = true;
      this.#copyBack.resume();
      const drained = await this.#copyBack.drain(this.#options.probeIntervalMs);
      if (drained && this.#backupWrites === 0 && this.#copyBack.size === 0 && !this.#closed) this.#failBack();
    } catch (error) {
      this.#recordError(error, "primary");
    } finally {
      this.#probing = false;
    }
  }

  #failBack(): void {
    this.#copyBack.pause();
    this.#failingBack = false;
    this.#active = "primary";
    this.#since = this.#options.now();
    this.#replication.resume();
    this.#onStateChange?.(this.status());
  }

  #startTimers(): void {
    const every = (ms: number, tick: () => Promise<unknown>) => {
      if (ms <= 0) return;
      const timer = setInterval(() => void tick().catch(() => undefined), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#options.probeIntervalMs, () => this.#probe());
    every(this.#options.reconcileIntervalMs, () => this.reconcile());
  }

  #recordError(error: unknown, store: "primary" | "backup"): void {
    const failure = MiniodbError.from(error);
    this.#lastError = {
      store,
      code: failure.code,
      message: failure.message,
      at: new Date(this.#options.now()),
    };
  }
}

function isOutage(error: unknown): boolean {
  return MiniodbError.is(error, "unavailable") || MiniodbError.is(error, "deadline_exceeded");
}
