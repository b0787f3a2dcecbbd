import { HybridClock, MiniodbError, partitionOf, type TableEntry } from "@miniodb/core";
import { traceFlush, traceWalAppend } from "./worker-spans.js";
import type { BufferedRows } from "./buffer/table-buffer.js";
import { Flusher, type FlushOutcome } from "./flush/flusher.js";
import { encodeWriteResult, IdempotencyGuard, type IdempotencyStamp } from "./ingest/idempotency-guard.js";
import { encodeRows } from "./ingest/encode-rows.js";
import { prepareBatch } from "./ingest/prepare-batch.js";
import type { RecordInput } from "./ingest/record-preparer.js";
import { decodeRowLineHeader } from "./ingest/row-line.js";
import { TableState } from "./ingest/table-state.js";
import { decodeWalBatch, encodeWalBatch } from "./ingest/wal-batch.js";
import type { WriteResult } from "./ingest/write-result.js";
import type { TableBufferStats, WorkerOptions, WriteOptions } from "./worker-types.js";

function timeRangeOf(timestamps: readonly number[]): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const timestamp of timestamps) {
    if (timestamp < min) min = timestamp;
    if (timestamp > max) max = timestamp;
  }
  return { min, max };
}

function tableGone(name: string): MiniodbError {
  return new MiniodbError("not_found", `table ${name} was deleted or recreated during the write`);
}

/**
 * A worker: accepts writes (durable in its WAL before they are acknowledged), buffers rows per
 * table, and flushes them to Parquet on object storage by size, age, memory pressure and at close.
 */
export class Worker {
  readonly #options: WorkerOptions;
  readonly #clock: HybridClock;
  readonly #flusher: Flusher;
  readonly #tables = new Map<string, TableState>();
  readonly #flushes = new Map<string, Promise<FlushOutcome>>();
  readonly #idempotency: IdempotencyGuard;
  readonly #now: () => number;
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
  }

  /** Replays the WAL into the buffers, then starts the flush timer. */
  static async start(options: WorkerOptions): Promise<Worker> {
    const worker = new Worker(options);
    await worker.#replay();
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
    const state = await this.#stateOf(table);
    const maxBytes = this.#options.maxRecordBytes ?? Number.POSITIVE_INFINITY;
    const { prepared, errors, ids, covered } = prepareBatch(state, records, partial, maxBytes);
    if (prepared.length === 0) return { written: 0, errors, ids };
    if (!covered) {
      const payloads = prepared.map((record) => record.payload);
      await state.coverPayloads(payloads, this.#options.metadata);
    }
    const firstSequence = this.#clock.nextRange(prepared.length);
    const { lines, partitions, timeRange } = encodeRows(prepared, firstSequence);
    const lastSequence = firstSequence + BigInt(prepared.length - 1);
    const result = { written: prepared.length, errors, ids, firstSequence, lastSequence };
    const idempotency = stamp && { ...stamp, response: encodeWriteResult(result) };
    const payload = encodeWalBatch({
      table: table.name,
      tableCreatedAtMs: table.createdAt.getTime(),
      lines,
      ...(idempotency ? { idempotency } : {}),
    });
    const { tracer, wal } = this.#options;
    const lsn = await (tracer
      ? traceWalAppend(tracer, table.name, prepared.length, payload.length, () => wal.append(payload))
      : wal.append(payload));
    if (lsn > this.#lastLsn) this.#lastLsn = lsn;
    state.buffer.append(lines, partitions, lsn, this.#now(), timeRange);
    state.lastWriteMs = this.#now();
    if (state.buffer.rowCount >= table.config.bufferSize) this.#flushInBackground(table.name);
    return result;
  }

  /** Flushes one table now (or every table), waiting for a flush already running. */
  async flush(table?: string): Promise<FlushOutcome> {
    const names = table === undefined ? [...this.#tables.keys()] : [table];
    const outcomes = await Promise.all(names.map((name) => this.#flushTable(name)));
    return {
      rows: outcomes.reduce((sum, outcome) => sum + outcome.rows, 0),
      files: outcomes.flatMap((o) => o.files),
    };
  }

  tableStats(table: string): TableBufferStats {
    const state = this.#tables.get(table);
    if (!state)
      return {
        unflushedRows: 0,
        bufferedBytes: 0,
        lastWriteMs: undefined,
        oldestUnflushedMs: undefined,
        unflushedTimeRange: undefined,
      };
    return {
      unflushedRows: state.buffer.rowCount + state.buffer.pendingRowCount,
      bufferedBytes: state.buffer.bytes,
      lastWriteMs: state.lastWriteMs,
      oldestUnflushedMs: state.buffer.oldestUnflushedMs,
      unflushedTimeRange: state.buffer.timeRange,
    };
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

  /** Tables with rows in this worker's buffer or being flushed. */
  bufferedTables(): string[] {
    return [...this.#tables.keys()];
  }

  /** Forgets a deleted table's buffered rows (its WAL entries are skipped from now on). */
  async dropTable(name: string): Promise<void> {
    await this.#flushes.get(name)?.catch(() => undefined);
    this.#tables.delete(name);
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
    if (!state) return { rows: 0, files: [] };
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
      if (await this.#forgetIfDeleted(state)) return { rows: 0, files: [] };
      throw error;
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
   * A flush fails for good when its table was deleted (or recreated) meanwhile, e.g. by a write
   * that slipped in while the table was being dropped: its rows go with the table.
   */
  async #forgetIfDeleted(state: TableState): Promise<boolean> {
    const entry = await this.#options.metadata.getTable(state.entry.name).catch(() => state.entry);
    if (entry && entry.createdAt.getTime() === state.entry.createdAt.getTime()) return false;
    if (this.#tables.get(state.entry.name) === state) this.#tables.delete(state.entry.name);
    await this.#truncateWal();
    return true;
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
    if (largest && total > (this.#options.maxBufferedBytes ?? 256 * 1024 * 1024))
      this.#flushInBackground(largest.entry.name);
    await this.#persistLastWrites();
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
    await this.#options.wal.truncateBefore(keepFrom);
  }

  async #stateOf(table: TableEntry): Promise<TableState> {
    const current = () => {
      const state = this.#tables.get(table.name);
      if (!state) return undefined;
      const known = state.entry.createdAt.getTime();
      if (known === table.createdAt.getTime()) return state;
      // A write still holding an earlier incarnation of a recreated table must not replace it.
      if (known > table.createdAt.getTime()) throw tableGone(table.name);
      return undefined;
    };
    const existing = current();
    if (existing) return existing;
    const schema = await this.#options.metadata.getSchema(table.name);
    // Another write may have created the state while the schema was loading.
    const raced = current();
    if (raced) return raced;
    const state = new TableState(table, schema, this.#options.nodeId, () => this.#now() * 1000);
    this.#tables.set(table.name, state);
    return state;
  }

  async #replay(): Promise<void> {
    const { metadata, wal, nodeId } = this.#options;
    const flushedUpTo = new Map<string, bigint>();
    for await (const { lsn, payload } of wal.replay()) {
      this.#lastLsn = lsn;
      const batch = decodeWalBatch(payload);
      const headers = batch.lines.map(decodeRowLineHeader);
      for (const header of headers) this.#clock.observe(header.sequence);
      const { idempotency } = batch;
      if (idempotency)
        await this.#idempotency.remember(idempotency.key, idempotency.response, idempotency.expiresAtMs);
      const table = await metadata.getTable(batch.table);
      if (!table || table.createdAt.getTime() !== batch.tableCreatedAtMs) continue;
      if (!flushedUpTo.has(table.name))
        flushedUpTo.set(table.name, await this.#flushedSequence(table.name, nodeId));
      const state = await this.#stateOf(table);
      const limit = flushedUpTo.get(table.name)!;
      const keep = headers.map((header) => header.sequence > limit);
      const lines = batch.lines.filter((_, index) => keep[index]);
      const times = headers.filter((_, index) => keep[index]).map((header) => header.timestampMicros);
      const partitions = times.map((micros) => partitionOf(micros));
      if (lines.length > 0) state.buffer.append(lines, partitions, lsn, this.#now(), timeRangeOf(times));
    }
    for (const limit of flushedUpTo.values()) this.#clock.observe(limit);
  }

  /** The highest sequence this node has already committed to the table's manifest. */
  async #flushedSequence(table: string, nodeId: string): Promise<bigint> {
    const manifest = await this.#options.metadata.getManifest(table);
    let highest = 0n;
    for (const file of manifest.files)
      if (file.nodeId === nodeId && file.maxSequence > highest) highest = file.maxSequence;
    return highest;
  }
}
