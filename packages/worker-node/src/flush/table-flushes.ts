import { MiniodbError } from "@miniodb/core";
import { tableMissing } from "../ingest/table-errors.js";
import type { TableState } from "../ingest/table-state.js";
import type { TableStates } from "../ingest/table-states.js";
import { traceFlush } from "../worker-spans.js";
import type { WorkerOptions } from "../worker-types.js";
import type { Flusher, FlushOutcome } from "./flusher.js";

const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;

export interface TableFlushesDeps {
  readonly options: WorkerOptions;
  readonly flusher: Flusher;
  readonly states: TableStates;
  readonly now: () => number;
  /** Cuts the WAL before the oldest entry still needed (after a flush or a retirement). */
  readonly truncateWal: () => Promise<void>;
  /** Whether the worker is shutting down (writes waiting for room then fail). */
  readonly closed: () => boolean;
}

/**
 * The worker's flushes: at most one per table at a time, started on demand, in the background
 * (size, age, memory pressure), and the backpressure that makes writes wait for them.
 */
export class TableFlushes {
  readonly #deps: TableFlushesDeps;
  readonly #running = new Map<string, Promise<FlushOutcome>>();

  constructor(deps: TableFlushesDeps) {
    this.#deps = deps;
  }

  /** The table's running flush, if any. */
  running(name: string): Promise<FlushOutcome> | undefined {
    return this.#running.get(name);
  }

  /**
   * Flushes one table now, after a flush of it already running. A table the metadata store lost
   * has its rows parked and is failed_precondition; one this worker dropped flushes nothing.
   */
  async flush(name: string, background = false): Promise<FlushOutcome> {
    const running = this.#running.get(name);
    if (running) {
      await running.catch(() => undefined);
      return this.flush(name, background);
    }
    const { states, options, flusher, now, truncateWal } = this.#deps;
    const state = states.get(name);
    if (!state) {
      const parkedRows = states.parkedRows(name);
      if (parkedRows !== undefined) throw tableMissing(name, parkedRows);
      return { rows: 0, files: [] };
    }
    const startedMs = now();
    const oldestMs = state.buffer.oldestUnflushedMs;
    const { tracer } = options;
    const flush = (
      tracer && state.buffer.rowCount > 0
        ? traceFlush(tracer, name, background, () => flusher.flush(state, startedMs))
        : flusher.flush(state, startedMs)
    ).finally(() => this.#running.delete(name));
    this.#running.set(name, flush);
    try {
      const outcome = await flush;
      if (outcome.rows > 0) this.#report(name, outcome, startedMs, oldestMs);
      await truncateWal();
      return outcome;
    } catch (error) {
      return this.#failed(state, error);
    }
  }

  /** After a failed flush: rethrows a passing failure, else retires the table's state. */
  async #failed(state: TableState, error: unknown): Promise<FlushOutcome> {
    const { states, truncateWal } = this.#deps;
    const fate = await states.fateOf(state);
    if (fate === "live") throw error;
    const parkedRows = states.retire(state);
    await truncateWal();
    if (fate === "dropped") return { rows: 0, files: [] };
    throw tableMissing(state.entry.name, parkedRows);
  }

  /** Starts a flush of the table unless one is running; its errors go to onBackgroundError. */
  inBackground(name: string): void {
    if (this.#running.has(name)) return;
    this.flush(name, true).catch((error: unknown) => this.#deps.options.onBackgroundError?.(error, name));
  }

  /**
   * Starts the flushes that are due: tables whose oldest buffered row waited their flush
   * interval, and the largest table while the buffers hold more than max_buffered_bytes.
   */
  startDue(): void {
    const { states, now } = this.#deps;
    const nowMs = now();
    let total = 0;
    let largest: TableState | undefined;
    for (const state of states.values()) {
      const { oldestAppendMs } = state.buffer;
      total += state.buffer.bytes;
      if (!largest || state.buffer.bytes > largest.buffer.bytes) largest = state;
      if (
        oldestAppendMs !== undefined &&
        nowMs - oldestAppendMs >= state.entry.config.flushIntervalSeconds * 1000
      ) {
        this.inBackground(state.entry.name);
      }
    }
    if (largest && total > this.#maxBufferedBytes) this.inBackground(largest.entry.name);
  }

  /**
   * Backpressure: while more than max_buffered_bytes wait to be flushed and a flush is running
   * (flushes fell behind), a write waits for a flush to finish instead of growing the buffers.
   * With no flush running there is nothing to wait for (a failing flush keeps its rows buffered):
   * then it answers undefined, saving the caller a promise and a microtask.
   */
  roomToBuffer(): Promise<void> | undefined {
    return this.#running.size > 0 ? this.#waitForRoom() : undefined;
  }

  async #waitForRoom(): Promise<void> {
    const limit = this.#maxBufferedBytes;
    while (this.#running.size > 0 && this.#deps.states.bufferedBytes() > limit) {
      await Promise.race([...this.#running.values()].map((flush) => flush.catch(() => undefined)));
      if (this.#deps.closed()) throw new MiniodbError("unavailable", "the worker is shutting down");
    }
  }

  get #maxBufferedBytes(): number {
    return this.#deps.options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  }

  #report(table: string, outcome: FlushOutcome, startedMs: number, oldestMs: number | undefined): void {
    const nowMs = this.#deps.now();
    this.#deps.options.onFlush?.({
      table,
      rows: outcome.rows,
      files: outcome.files.length,
      bytes: outcome.files.reduce((sum, file) => sum + file.sizeBytes, 0),
      seconds: (nowMs - startedMs) / 1000,
      oldestRowAgeSeconds: oldestMs === undefined ? 0 : (nowMs - oldestMs) / 1000,
    });
  }
}
