import { HybridClock, MiniodbError, type TableEntry } from "@miniodb/core";
import type { BufferedRows } from "./buffer/table-buffer.js";
import { ParkedRevival } from "./buffer/parked-revival.js";
import { Flusher, type FlushOutcome } from "./flush/flusher.js";
import { TableFlushes } from "./flush/table-flushes.js";
import type { RecordInput } from "./ingest/record-preparer.js";
import { decodeRowLineHeader } from "./ingest/row-line.js";
import { isTableMissing } from "./ingest/table-errors.js";
import { bufferStatsOf } from "./ingest/table-state.js";
import { TableStates } from "./ingest/table-states.js";
import { WritePath } from "./ingest/write-path.js";
import type { WriteResult } from "./ingest/write-result.js";
import { replayWal } from "./wal/replay-wal.js";
import { walFloor } from "./wal/wal-floor.js";
import { WalMarkPublisher } from "./wal/wal-mark-publisher.js";
import type { ParkedTableStats, TableBufferStats, WorkerOptions, WriteOptions } from "./worker-types.js";

/**
 * A worker: accepts writes (durable in its WAL before they are acknowledged), buffers rows per
 * table, and flushes them to Parquet on object storage by size, age, memory pressure and at close.
 */
export class Worker {
  readonly #options: WorkerOptions;
  readonly #clock: HybridClock;
  readonly #states: TableStates;
  readonly #flushes: TableFlushes;
  readonly #writes: WritePath;
  readonly #revival: ParkedRevival;
  readonly #now: () => number;
  readonly #walMark: WalMarkPublisher | undefined;
  #lastLsn = 0n;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(options: WorkerOptions) {
    this.#options = options;
    const now = (this.#now = options.now ?? Date.now);
    this.#clock = new HybridClock(now);
    this.#states = new TableStates({ metadata: options.metadata, nodeId: options.nodeId, now });
    this.#flushes = new TableFlushes({
      options,
      flusher: new Flusher(options),
      states: this.#states,
      now,
      truncateWal: () => this.#truncateWal(),
      closed: () => this.#closed,
    });
    this.#writes = new WritePath({
      options,
      clock: this.#clock,
      states: this.#states,
      now,
      roomToBuffer: () => this.#flushes.roomToBuffer(),
      onLogged: (lsn) => this.#logged(lsn),
      flushInBackground: (table) => this.#flushes.inBackground(table),
    });
    this.#revival = new ParkedRevival({
      metadata: options.metadata,
      nodeId: options.nodeId,
      parked: this.#states.parked,
      liveState: (name) => this.#states.get(name),
      stateOf: (entry) => this.#states.stateOf(entry),
      now,
      onError: (error) => options.onBackgroundError?.(error, ""),
    });
    if (options.publishWalMark)
      this.#walMark = new WalMarkPublisher({ metadata: options.metadata, nodeId: options.nodeId, now });
  }

  /** Replays the WAL into the buffers, then starts the flush timer. */
  static async start(options: WorkerOptions): Promise<Worker> {
    const worker = new Worker(options);
    const states = worker.#states;
    worker.#lastLsn = await replayWal({
      wal: options.wal,
      metadata: options.metadata,
      nodeId: options.nodeId,
      clock: worker.#clock,
      idempotency: worker.#writes.idempotency,
      dropped: states.dropped,
      parked: states.parked,
      stateOf: (entry) => states.stateOf(entry),
      forgetState: (name, createdAtMs) => states.forget(name, createdAtMs),
      now: worker.#now,
    });
    worker.#timer = setInterval(() => void worker.#checkFlushes(), options.flushCheckIntervalMs ?? 1_000);
    worker.#timer.unref();
    return worker;
  }

  /**
   * Writes records to a table. With `partial`, invalid records are reported by index and the
   * valid ones written; without it, the first invalid record fails the whole write. With an
   * `idempotencyKey`, a retry of the same write returns the first result instead of writing again.
   */
  async write(
    table: TableEntry,
    records: readonly RecordInput[],
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    if (this.#closed) throw new MiniodbError("unavailable", "the worker is shutting down");
    return this.#writes.write(table, records, options);
  }

  /**
   * Flushes one table now (or every table), waiting for a flush already running. A table the
   * metadata store lost is failed_precondition; flushing every table leaves such tables' rows
   * parked (see parkedTables) instead of failing.
   */
  async flush(table?: string): Promise<FlushOutcome> {
    const revived = await this.#revival.run();
    for (const name of revived) if (table !== undefined && name !== table) this.#flushes.inBackground(name);
    const names = table === undefined ? this.#states.names() : [table];
    const flushOne = (name: string) =>
      table !== undefined
        ? this.#flushes.flush(name)
        : this.#flushes.flush(name).catch((error: unknown) => {
            if (isTableMissing(error)) return { rows: 0, files: [] };
            throw error;
          });
    const outcomes = await Promise.all(names.map(flushOne));
    return {
      rows: outcomes.reduce((sum, outcome) => sum + outcome.rows, 0),
      files: outcomes.flatMap((o) => o.files),
    };
  }

  tableStats(table: string): TableBufferStats {
    return bufferStatsOf(this.#states.get(table));
  }

  /** Names of the tables this worker holds state for (buffered rows or recent writes). */
  tableNames(): string[] {
    return this.#states.names();
  }

  /**
   * The table's acknowledged rows not yet known to be in object storage, captured now; pass the
   * capture to `rowsOutsideManifest` with a manifest read afterwards.
   */
  bufferedRows(table: string): BufferedRows[] {
    return this.#states.get(table)?.buffer.capture() ?? [];
  }

  /**
   * Like bufferedRows, for a query that read manifest `manifestVersion` before: undefined when
   * this worker has committed rows of the table to a later version since (they are in neither).
   */
  bufferedRowsAsOf(table: string, manifestVersion: number): BufferedRows[] | undefined {
    const state = this.#states.get(table);
    return state ? state.buffer.captureAsOf(manifestVersion) : [];
  }

  /**
   * A sequence number above every one this worker has handed out and above `floor` (for
   * tombstones); the worker's later rows get higher ones.
   */
  nextSequence(floor = 0n): bigint {
    this.#clock.observe(floor);
    return this.#clock.nextRange(1);
  }

  /** The highest sequence number this worker has handed out or observed. */
  get lastSequence(): bigint {
    return this.#clock.last;
  }

  /**
   * Stores this worker's WAL low-water mark now (with `publishWalMark`; see WalMarkPublisher):
   * call it before the worker takes writes. Later marks are stored by the flush timer.
   */
  async publishWalMark(): Promise<void> {
    await this.#walMark?.publish(this.#walFloor());
  }

  /**
   * Removes the stored WAL mark when no acknowledged row is left unflushed (a graceful leave),
   * else stores the current one. Answers whether it was removed.
   */
  async releaseWalMark(): Promise<boolean> {
    if (!this.#walMark) return false;
    const floor = this.#walFloor();
    if (floor <= this.#clock.last) {
      await this.#walMark.publish(floor);
      return false;
    }
    await this.#walMark.release();
    return true;
  }

  #walFloor(): bigint {
    return walFloor({
      lastSequence: this.#clock.last,
      buffers: [...this.#states.values()].map((state) => state.buffer),
      parked: this.#states.parked,
      writing: this.#writes.writing,
    });
  }

  /** Whether a row of the table, buffered or being flushed, has an id `matches` accepts. */
  holdsRowsWhere(table: string, matches: (id: string) => boolean): boolean {
    const state = this.#states.get(table);
    if (!state) return false;
    for (const line of state.buffer.lines()) if (matches(decodeRowLineHeader(line).id)) return true;
    return false;
  }

  /** Tables with rows in this worker's buffer or being flushed. */
  bufferedTables(): string[] {
    return this.#states.names();
  }

  /**
   * Tables whose acknowledged rows wait for their metadata to come back (the store lost them):
   * their rows stay in the WAL and are flushed once a metadata restore brings the table back.
   */
  parkedTables(): ParkedTableStats[] {
    return this.#states.parked.list().map((parked) => ({
      table: parked.table,
      createdAt: new Date(parked.createdAtMs),
      rows: parked.buffer.rowCount,
      sinceMs: parked.sinceMs,
    }));
  }

  /**
   * Forgets a deleted table's buffered rows, and any rows parked under its name: a drop marker in
   * the WAL makes replay skip the rows logged before it.
   */
  async dropTable(name: string): Promise<void> {
    await this.#flushes.running(name)?.catch(() => undefined);
    const { parked, dropped } = this.#states;
    const incarnations = new Set(
      parked
        .list()
        .filter((entry) => entry.table === name)
        .map((entry) => entry.createdAtMs),
    );
    const live = this.#states.get(name)?.entry ?? (await this.#options.metadata.getTable(name));
    if (live) incarnations.add(live.createdAt.getTime());
    for (const createdAtMs of incarnations) {
      this.#logged(await dropped.drop(this.#options.wal, name, createdAtMs));
    }
    this.#states.delete(name);
    parked.discard(name);
    await this.#truncateWal();
  }

  /** Flushes everything, then closes the WAL. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    try {
      await this.flush();
    } finally {
      await this.#options.wal.close();
    }
  }

  async #checkFlushes(): Promise<void> {
    this.#flushes.startDue();
    for (const name of await this.#revival.run()) this.#flushes.inBackground(name);
    await this.#states.persistLastWrites();
    await this.#walMark?.refresh(this.#walFloor());
  }

  #logged(lsn: bigint): void {
    if (lsn > this.#lastLsn) this.#lastLsn = lsn;
  }

  /** Cuts the WAL before the oldest entry whose rows are not yet in object storage. */
  async #truncateWal(): Promise<void> {
    await this.#options.wal.truncateBefore(this.#states.walKeepFrom(this.#lastLsn + 1n));
  }
}
