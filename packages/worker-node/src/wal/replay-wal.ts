import { partitionOf, type HybridClock, type MetadataStore, type TableEntry } from "@miniodb/core";
import type { DroppedTables } from "../buffer/dropped-tables.js";
import type { ParkedTables } from "../buffer/parked-tables.js";
import type { TableBuffer } from "../buffer/table-buffer.js";
import { flushedSequence } from "../flush/flushed-sequence.js";
import type { IdempotencyGuard } from "../ingest/idempotency-guard.js";
import { decodeRowLineHeader } from "../ingest/row-line.js";
import type { TableState } from "../ingest/table-state.js";
import { decodeWalBatch } from "../ingest/wal-batch.js";
import type { WorkerWal } from "../worker-types.js";

export interface WalReplayDeps {
  readonly wal: WorkerWal;
  readonly metadata: MetadataStore;
  readonly nodeId: string;
  /** Observes every replayed sequence and the flushed ones, so later rows are higher. */
  readonly clock: HybridClock;
  readonly idempotency: IdempotencyGuard;
  readonly dropped: DroppedTables;
  readonly parked: ParkedTables;
  /** The worker's state of a table incarnation, created when missing. */
  readonly stateOf: (entry: TableEntry) => Promise<TableState>;
  /** Forgets the worker's state of the table if it is of that incarnation (a drop marker). */
  readonly forgetState: (table: string, createdAtMs: number) => void;
  readonly now: () => number;
}

interface RowHeader {
  readonly sequence: bigint;
  readonly timestampMicros: number;
}

/**
 * Replays the WAL into the worker's buffers: rows of live tables not yet in their manifest are
 * buffered again, rows of incarnations the metadata store does not know are parked, drop markers
 * forget what was logged before them, and idempotency keys are remembered. Returns the last LSN
 * (0 for an empty log).
 */
export async function replayWal(deps: WalReplayDeps): Promise<bigint> {
  const { metadata, wal, nodeId, clock } = deps;
  const flushedUpTo = new Map<string, bigint>();
  let lastLsn = 0n;
  for await (const { lsn, payload } of wal.replay()) {
    lastLsn = lsn;
    const batch = decodeWalBatch(payload);
    const headers = batch.lines.map(decodeRowLineHeader);
    for (const header of headers) clock.observe(header.sequence);
    const { idempotency } = batch;
    if (idempotency)
      await deps.idempotency.remember(idempotency.key, idempotency.response, idempotency.expiresAtMs);
    if (batch.dropped) {
      deps.dropped.mark(batch.table, batch.tableCreatedAtMs);
      deps.parked.discard(batch.table, batch.tableCreatedAtMs);
      deps.forgetState(batch.table, batch.tableCreatedAtMs);
      continue;
    }
    const table = await metadata.getTable(batch.table);
    if (!table || table.createdAt.getTime() !== batch.tableCreatedAtMs) {
      if (batch.lines.length === 0) continue;
      const nowMs = deps.now();
      appendRows(
        deps.parked.bufferOf(batch.table, batch.tableCreatedAtMs, nowMs),
        batch.lines,
        headers,
        lsn,
        nowMs,
      );
      continue;
    }
    if (!flushedUpTo.has(table.name))
      flushedUpTo.set(table.name, await flushedSequence(metadata, table.name, nodeId));
    const state = await deps.stateOf(table);
    const limit = flushedUpTo.get(table.name)!;
    const keep = headers.map((header) => header.sequence > limit);
    const lines = batch.lines.filter((_, index) => keep[index]);
    if (lines.length > 0)
      appendRows(
        state.buffer,
        lines,
        headers.filter((_, index) => keep[index]),
        lsn,
        deps.now(),
      );
  }
  for (const limit of flushedUpTo.values()) clock.observe(limit);
  return lastLsn;
}

/** Appends replayed rows (non-empty, with their headers) to a buffer. */
function appendRows(
  buffer: TableBuffer,
  lines: readonly string[],
  headers: readonly RowHeader[],
  lsn: bigint,
  nowMs: number,
): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let first = headers[0]!.sequence;
  for (const { timestampMicros, sequence } of headers) {
    if (timestampMicros < min) min = timestampMicros;
    if (timestampMicros > max) max = timestampMicros;
    if (sequence < first) first = sequence;
  }
  const partitions = headers.map((header) => partitionOf(header.timestampMicros));
  buffer.append(lines, partitions, lsn, nowMs, { min, max }, first);
}
