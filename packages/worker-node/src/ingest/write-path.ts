import type { HybridClock, TableEntry } from "@miniodb/core";
import { traceWalAppend } from "../worker-spans.js";
import type { WorkerOptions, WriteOptions } from "../worker-types.js";
import { encodeWriteResult, IdempotencyGuard, type IdempotencyStamp } from "./idempotency-guard.js";
import { prepareBatch } from "./prepare-batch.js";
import type { PreparedRecord, RecordInput } from "./record-preparer.js";
import type { TableState } from "./table-state.js";
import type { TableStates } from "./table-states.js";
import { WalEntryEncoder } from "./wal-entry-encoder.js";
import type { WriteResult } from "./write-result.js";

export interface WritePathDeps {
  readonly options: WorkerOptions;
  readonly clock: HybridClock;
  readonly states: TableStates;
  readonly now: () => number;
  /** Waits while flushes fell behind (backpressure); undefined when there is nothing to wait for. */
  readonly roomToBuffer: () => Promise<void> | undefined;
  /** Told the LSN of every WAL entry a write appended. */
  readonly onLogged: (lsn: bigint) => void;
  /** Starts a background flush of a table whose buffer reached its size. */
  readonly flushInBackground: (table: string) => void;
}

/**
 * A worker's write path: prepares a batch of records, logs it to the WAL (with its idempotency
 * key, when it has one) and buffers its rows once the WAL acknowledged them.
 */
export class WritePath {
  /** Applies each idempotency key's write at most once (and remembers keys replayed from the WAL). */
  readonly idempotency: IdempotencyGuard;
  readonly #deps: WritePathDeps;
  /** First sequences of the writes between taking their sequences and buffering their rows. */
  readonly #writing = new Set<bigint>();
  readonly #walEntries = new WalEntryEncoder();

  constructor(deps: WritePathDeps) {
    this.#deps = deps;
    const { options, now } = deps;
    this.idempotency = new IdempotencyGuard(options.metadata, options.idempotencyWindowMs ?? 900_000, now);
  }

  /** First sequences of the writes being logged (their rows are not buffered yet). */
  get writing(): ReadonlySet<bigint> {
    return this.#writing;
  }

  /** See Worker.write. */
  async write(
    table: TableEntry,
    records: readonly RecordInput[],
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const { idempotencyKey, partial = false, sequenceFloor } = options;
    if (sequenceFloor !== undefined) this.#deps.clock.observe(sequenceFloor);
    if (idempotencyKey === undefined) return this.#write(table, records, partial, undefined);
    return this.idempotency.run(idempotencyKey, (stamp) => this.#write(table, records, partial, stamp));
  }

  async #write(
    table: TableEntry,
    records: readonly RecordInput[],
    partial: boolean,
    stamp: IdempotencyStamp | undefined,
  ): Promise<WriteResult> {
    const { options, clock, states } = this.#deps;
    // Both usually have nothing to wait for; not awaiting then saves a promise and a microtask each.
    const room = this.#deps.roomToBuffer();
    if (room) await room;
    const state = states.current(table) ?? (await states.stateOf(table));
    const maxBytes = options.maxRecordBytes ?? Number.POSITIVE_INFINITY;
    const { prepared, errors, ids, covered } = prepareBatch(state, records, partial, maxBytes);
    if (prepared.length === 0) return { written: 0, errors, ids };
    if (!covered) {
      const payloads = prepared.map((record) => record.payload);
      await state.coverPayloads(payloads, options.metadata);
    }
    const firstSequence = clock.nextRange(prepared.length);
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
    const { options, now } = this.#deps;
    const { tracer, wal } = options;
    const lsn = await (tracer
      ? traceWalAppend(tracer, table.name, prepared.length, payload.length, () => wal.append(payload))
      : wal.append(payload));
    this.#deps.onLogged(lsn);
    state.buffer.appendEncoded(rows, prepared.length, partitions, lsn, now(), timeRange, firstSequence);
    state.lastWriteMs = now();
    if (state.buffer.rowCount >= table.config.bufferSize) this.#deps.flushInBackground(table.name);
    return result;
  }
}
