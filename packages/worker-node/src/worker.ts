import { HybridClock, MiniodbError, type TableEntry } from "@miniodb/core";
import { traceFlush, traceWalAppend } from "./worker-spans.js";
import { ParkedTables } from "./buffer/parked-tables.js";
import type { BufferedRows } from "./buffer/table-buffer.js";
import { Flusher, type FlushOutcome } from "./flush/flusher.js";
import { encodeWriteResult, IdempotencyGuard, type IdempotencyStamp } from "./ingest/idempotency-guard.js";
import { prepareBatch } from "./ingest/prepare-batch.js";
import type { PreparedRecord, RecordInput } from "./ingest/record-preparer.js";
import { decodeRowLineHeader } from "./ingest/row-line.js";
import { isTableMissing, tableGone, tableMissing } from "./ingest/table-errors.js";
import { bufferStatsOf, TableState } from "./ingest/table-state.js";
import { WalEntryEncoder } from "./ingest/wal-entry-encoder.js";
import { DroppedTables } from "./buffer/dropped-tables.js";
import { ParkedRevival } from "./buffer/parked-revival.js";
import { replayWal } from "./wal/replay-wal.js";
import { walFloor } from "./wal/wal-floor.js";
import { WalMarkPublisher } from "./wal/wal-mark-publisher.js";
import type { WriteResult } from "./ingest/write-result.js";
import type { ParkedTableStats, TableBufferStats, WorkerOptions, WriteOptions } from "./worker-types.js";

const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

/**
 * A worker: accepts writes (durable in its WAL before they are acknowledged), buffers rows per
 * table, and flushes them to Parquet on object storage by size, age, memory pressure and at close.
 */
export class Worker {
  readonly #options: WorkerOptions;
  readonly #clock: HybridClock;
  readonly #flusher: Flusher;
  readonly #tables = new Map<string, TableState>();
  /** Rows of tables the metadata store lost (not deleted through this worker). */
  readonly #parked = new ParkedTables();
  readonly #dropped = new DroppedTables();
  readonly #revival: ParkedRevival;
  readonly #flushes = new Map<string, Promise<FlushOutcome>>();
  readonly #idempotency: IdempotencyGuard;
  readonly #now: () => number;
  /** First sequences of the writes between taking their sequences and buffering their rows. */
  readonly #writing = new Set<bigint>();
  readonly #walEntries = new WalEntryEncoder();
  readonly #walMark: WalMarkPublisher | undefined;
  #lastLsn = 0n;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(options: WorkerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#clock = new HybridClock(this.#now);
    this.#flusher = new Flusher(options);
    this.#idempotency = new IdempotencyGuard(
      options.metadata,
      options.idempotencyWindowMs ?? 900_000,
      this.#now,
    );
    this.#revival = new ParkedRevival({
      metadata: options.metadata,
      nodeId: options.nodeId,
      parked: this.#parked,
      liveState: (name) => this.#tables.get(name),
      stateOf: (entry) => this.#stateOf(entry),
      now: this.#now,
      onError: (error) => options.onBackgroundError?.(error, ""),
    });
    if (options.publishWalMark)
      this.#walMark = new WalMarkPublisher({
        metadata: options.metadata,
        nodeId: options.nodeId,
        now: this.#now,
      });
  }

  /** Replays the WAL into the buffers, then starts the flush timer. */
  static async start(options: WorkerOptions): Promise<Worker> {
    const worker = new Worker(options);
    worker.#lastLsn = await replayWal({
      wal: options.wal,
      metadata: options.metadata,
      nodeId: options.nodeId,
      clock: worker.#clock,
      idempotency: worker.#idempotency,
      dropped: worker.#dropped,
      parked: worker.#parked,
      stateOf: (entry) => worker.#stateOf(entry),
      forgetState: (name, createdAtMs) => {
        if (worker.#tables.get(name)?.entry.createdAt.getTime() === createdAtMs) worker.#tables.delete(name);
      },
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
    const { idempotencyKey, partial = false, sequenceFloor } = options;
    if (sequenceFloor !== undefined) this.#clock.observe(sequenceFloor);
    if (idempotencyKey === undefined) return this.#write(table, records, partial, undefined);
    return this.#idempotency.run(idempotencyKey, (stamp) => this.#write(table, records, partial, stamp));
  }

  async #write(
    table: TableEntry,
    records: readonly RecordInput[],
    partial: boolean,
    stamp: IdempotencyStamp | undefined,
  ): Promise<WriteResult> {
    // Both usually have nothing to wait for; not awaiting then saves a promise and a microtask each.
    if (this.#flushes.size > 0) await this.#roomToBuffer();
    const state = this.#currentState(table) ?? (await this.#stateOf(table));
    const maxBytes = this.#options.maxRecordBytes ?? Number.POSITIVE_INFINITY;
    const { prepared, errors, ids, covered } = prepareBatch(state, records, partial, maxBytes);
    if (prepared.length === 0) return { written: 0, errors, ids };
    if (!covered) {
      const payloads = prepared.map((record) => record.payload);
      await state.coverPayloads(payloads, this.#options.metadata);
    }
    const firstSequence = this.#clock.nextRange(prepared.length);
    this.#writing.add(firstSequence);
    try {
      return await this.#logAndBuffer(state, prepared, firstSequence, { errors, ids, stamp });
    } finally {
      this.#writing.delete(firstSequence);
    }
  }

  /** Logs the prepared records under sequences from `firstSequence` on, then buffers them. */
  async #logAndBuffer(
    state: TableState,
    prepared: readonly PreparedRecord[],
    firstSequence: bigint,
    { errors, ids, stamp }: Pick<WriteResult, "errors" | "ids"> & { stamp: IdempotencyStamp | undefined },
  ): Promise<WriteResult> {
    const table = state.entry;
    const lastSequence = firstSequence + BigInt(prepared.length - 1);
    const result = { written: prepared.length, errors, ids, firstSequence, lastSequence };
    const idempotency = stamp && { ...stamp, response: encodeWriteResult(result) };
    const { payload, rows, partitions, timeRange } = this.#walEntries.encode(
      {
        table: table.name,
        tableCreatedAtMs: table.createdAt.getTime(),
        ...(idempotency ? { idempotency } : {}),
      },
      prepared,
      firstSequence,
    );
    const { tracer, wal } = this.#options;
    const lsn = await (tracer
      ? traceWalAppend(tracer, table.name, prepared.length, payload.length, () => wal.append(payload))
      : wal.append(payload));
    if (lsn > this.#lastLsn) this.#lastLsn = lsn;
    state.buffer.appendEncoded(rows, prepared.length, partitions, lsn, this.#now(), timeRange, firstSequence);
    state.lastWriteMs = this.#now();
    if (state.buffer.rowCount >= table.config.bufferSize) this.#flushInBackground(table.name);
    return result;
  }

  /**
   * Flushes one table now (or every table), waiting for a flush already running. A table the
   * metadata store lost is failed_precondition; flushing every table leaves such tables' rows
   * parked (see parkedTables) instead of failing.
   */
  async flush(table?: string): Promise<FlushOutcome> {
    const revived = await this.#revival.run();
    for (const name of revived) if (table !== undefined && name !== table) this.#flushInBackground(name);
    const names = table === undefined ? [...this.#tables.keys()] : [table];
    const flushOne = (name: string) =>
      table !== undefined
        ? this.#flushTable(name)
        : this.#flushTable(name).catch((error: unknown) => {
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
    return bufferStatsOf(this.#tables.get(table));
  }

  /** Names of the tables this worker holds state for (buffered rows or recent writes). */
  tableNames(): string[] {
    return [...this.#tables.keys()];
  }

  /**
   * The table's acknowledged rows not yet known to be in object storage, captured now; pass the
   * capture to `rowsOutsideManifest` with a manifest read afterwards.
   */
  bufferedRows(table: string): BufferedRows[] {
    return this.#tables.get(table)?.buffer.capture() ?? [];
  }

  /**
   * Like bufferedRows, for a query that read manifest `manifestVersion` before: undefined when
   * this worker has committed rows of the table to a later version since (they are in neither).
   */
  bufferedRowsAsOf(table: string, manifestVersion: number): BufferedRows[] | undefined {
    const state = this.#tables.get(table);
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
      buffers: [...this.#tables.values()].map((state) => state.buffer),
      parked: this.#parked,
      writing: this.#writing,
    });
  }

  /** Whether a row of the table, buffered or being flushed, has an id `matches` accepts. */
  holdsRowsWhere(table: string, matches: (id: string) => boolean): boolean {
    const state = this.#tables.get(table);
    if (!state) return false;
    for (const line of state.buffer.lines()) if (matches(decodeRowLineHeader(line).id)) return true;
    return false;
  }

  /** Tables with rows in this worker's buffer or being flushed. */
  bufferedTables(): string[] {
    return [...this.#tables.keys()];
  }

  /**
   * Tables whose acknowledged rows wait for their metadata to come back (the store lost them):
   * their rows stay in the WAL and are flushed once a metadata restore brings the table back.
   */
  parkedTables(): ParkedTableStats[] {
    return this.#parked.list().map((parked) => ({
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
    await this.#flushes.get(name)?.catch(() => undefined);
    const incarnations = new Set(
      this.#parked
        .list()
        .filter((parked) => parked.table === name)
        .map((parked) => parked.createdAtMs),
    );
    const live = this.#tables.get(name)?.entry ?? (await this.#options.metadata.getTable(name));
    if (live) incarnations.add(live.createdAt.getTime());
    for (const createdAtMs of incarnations) {
      const lsn = await this.#dropped.drop(this.#options.wal, name, createdAtMs);
      if (lsn > this.#lastLsn) this.#lastLsn = lsn;
    }
    this.#tables.delete(name);
    this.#parked.discard(name);
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

  async #flushTable(name: string, background = false): Promise<FlushOutcome> {
    const running = this.#flushes.get(name);
    if (running) {
      await running.catch(() => undefined);
      return this.#flushTable(name, background);
    }
    const state = this.#tables.get(name);
    if (!state) {
      const parked = this.#parked.list().filter((entry) => entry.table === name);
      if (parked.length > 0)
        throw tableMissing(
          name,
          parked.reduce((sum, entry) => sum + entry.buffer.rowCount, 0),
        );
      return { rows: 0, files: [] };
    }
    const startedMs = this.#now();
    const oldestMs = state.buffer.oldestUnflushedMs;
    const { tracer } = this.#options;
    const flush = (
      tracer && state.buffer.rowCount > 0
        ? traceFlush(tracer, name, background, () => this.#flusher.flush(state, startedMs))
        : this.#flusher.flush(state, startedMs)
    ).finally(() => this.#flushes.delete(name));
    this.#flushes.set(name, flush);
    try {
      const outcome = await flush;
      if (outcome.rows > 0) this.#reportFlush(name, outcome, startedMs, oldestMs);
      await this.#truncateWal();
      return outcome;
    } catch (error) {
      const fate = await this.#fateOf(state);
      if (fate === "live") throw error;
      const parkedRows = this.#retire(state);
      await this.#truncateWal();
      if (fate === "dropped") return { rows: 0, files: [] };
      throw tableMissing(name, parkedRows);
    }
  }

  #reportFlush(table: string, outcome: FlushOutcome, startedMs: number, oldestMs: number | undefined) {
    const nowMs = this.#now();
    this.#options.onFlush?.({
      table,
      rows: outcome.rows,
      files: outcome.files.length,
      bytes: outcome.files.reduce((sum, file) => sum + file.sizeBytes, 0),
      seconds: (nowMs - startedMs) / 1000,
      oldestRowAgeSeconds: oldestMs === undefined ? 0 : (nowMs - oldestMs) / 1000,
    });
  }

  /**
   * Why a flush failed for good, if it did: `live` when the table is still there (a passing
   * failure: the rows stay buffered), `dropped` when this worker deleted it (e.g. a write slipped
   * in while the table was being dropped: its rows go with the table), `missing` when the
   * metadata store lost it without a delete (wiped, or restored from a backup): the rows are kept.
   */
  async #fateOf(state: TableState): Promise<"live" | "dropped" | "missing"> {
    const { name, createdAt } = state.entry;
    const entry = await this.#options.metadata.getTable(name).catch(() => state.entry);
    if (entry && entry.createdAt.getTime() === createdAt.getTime()) return "live";
    return this.#dropped.has(name, createdAt.getTime()) ? "dropped" : "missing";
  }

  /**
   * Takes a table state out of service: its rows are forgotten if this worker dropped the
   * incarnation, and parked otherwise. Returns the number of rows parked for it.
   */
  #retire(state: TableState): number {
    const { name, createdAt } = state.entry;
    if (this.#tables.get(name) === state) this.#tables.delete(name);
    if (this.#dropped.has(name, createdAt.getTime())) return 0;
    const nowMs = this.#now();
    const parked = this.#parked.bufferOf(name, createdAt.getTime(), nowMs);
    const snapshot = state.buffer.take();
    if (snapshot) parked.adopt(snapshot, nowMs);
    return parked.rowCount;
  }

  /**
   * Backpressure: while more than max_buffered_bytes wait to be flushed and a flush is running
   * (flushes fell behind), a write waits for a flush to finish instead of growing the buffers.
   * With no flush running there is nothing to wait for (a failing flush keeps its rows buffered).
   */
  async #roomToBuffer(): Promise<void> {
    const limit = this.#options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    while (this.#flushes.size > 0 && this.#bufferedBytes() > limit) {
      await Promise.race([...this.#flushes.values()].map((flush) => flush.catch(() => undefined)));
      if (this.#closed) throw new MiniodbError("unavailable", "the worker is shutting down");
    }
  }

  /** Bytes of rows buffered across tables, not counting those being flushed. */
  #bufferedBytes(): number {
    let total = 0;
    for (const state of this.#tables.values()) total += state.buffer.bytes;
    return total;
  }

  #flushInBackground(name: string): void {
    if (this.#flushes.has(name)) return;
    this.#flushTable(name, true).catch((error: unknown) => this.#options.onBackgroundError?.(error, name));
  }

  async #checkFlushes(): Promise<void> {
    const now = this.#now();
    let total = 0;
    let largest: TableState | undefined;
    for (const [name, state] of this.#tables) {
      const { oldestAppendMs } = state.buffer;
      total += state.buffer.bytes;
      if (!largest || state.buffer.bytes > largest.buffer.bytes) largest = state;
      if (
        oldestAppendMs !== undefined &&
        now - oldestAppendMs >= state.entry.config.flushIntervalSeconds * 1000
      ) {
        this.#flushInBackground(name);
      }
    }
    if (largest && total > (this.#options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES))
      this.#flushInBackground(largest.entry.name);
    for (const name of await this.#revival.run()) this.#flushInBackground(name);
    await this.#persistLastWrites();
    await this.#walMark?.refresh(this.#walFloor());
  }

  /** Stores each table's latest write time, only when it changed since the last check. */
  async #persistLastWrites(): Promise<void> {
    for (const state of this.#tables.values()) {
      const lastWriteMs = state.lastWriteMs;
      if (lastWriteMs === undefined || lastWriteMs === state.persistedLastWriteMs) continue;
      await this.#options.metadata.touchTable(state.entry.name, new Date(lastWriteMs)).then(
        () => (state.persistedLastWriteMs = lastWriteMs),
        () => undefined,
      );
    }
  }

  /** Cuts the WAL before the oldest entry whose rows are not yet in object storage. */
  async #truncateWal(): Promise<void> {
    let keepFrom = this.#lastLsn + 1n;
    for (const state of this.#tables.values()) {
      const first = state.buffer.firstLsn;
      if (first !== undefined && first < keepFrom) keepFrom = first;
    }
    const parked = this.#parked.firstLsn;
    if (parked !== undefined && parked < keepFrom) keepFrom = parked;
    await this.#options.wal.truncateBefore(keepFrom);
  }

  /** The table's state if this incarnation of it has one already (see #stateOf). */
  #currentState(table: TableEntry): TableState | undefined {
    const state = this.#tables.get(table.name);
    if (!state) return undefined;
    const known = state.entry.createdAt.getTime();
    if (known === table.createdAt.getTime()) return state;
    // A write still holding an earlier incarnation of a recreated table must not replace it.
    if (known > table.createdAt.getTime()) throw tableGone(table.name);
    // The table was recreated: the earlier incarnation's rows go, or are parked if it was lost.
    this.#retire(state);
    return undefined;
  }

  async #stateOf(table: TableEntry): Promise<TableState> {
    const existing = this.#currentState(table);
    if (existing) return existing;
    const schema = await this.#options.metadata.getSchema(table.name);
    // Another write may have created the state while the schema was loading.
    const raced = this.#currentState(table);
    if (raced) return raced;
    const state = new TableState(table, schema, this.#options.nodeId, () => this.#now() * 1000);
    this.#tables.set(table.name, state);
    return state;
  }
}
