import type { ServiceImpl } from "@connectrpc/connect";
import { MiniodbError, type ColumnType, type SerializedPayload } from "@miniodb/core";
import type { WorkerService } from "@miniodb/proto/cluster";
import { type FlushRequest, type RecordRow, type WriteBatchRequest } from "@miniodb/proto/cluster";
import type { RecordInput } from "../ingest/record-preparer.js";
import { decodeRowBlock } from "../ingest/row-block.js";
import type { Worker } from "../worker.js";
import type { FragmentExecutor } from "../query/fragment-executor.js";
import { BufferCaptures } from "./buffer-captures.js";
import type { TableLookup } from "./table-lookup.js";
import type { WriteAdmission } from "./write-admission.js";

export interface WorkerServiceDeps {
  readonly nodeId: string;
  readonly worker: Worker;
  readonly tables: TableLookup;
  readonly admission: WriteAdmission;
  readonly captures?: BufferCaptures;
  /** Runs ExecuteFragment; without it the call is unimplemented. */
  readonly fragments?: FragmentExecutor;
  /**
   * Re-reads the ring this worker checks its writes against; a Flush calls it first and then
   * waits for the writes admitted before, so what the flush leaves behind is only writes of
   * shards still owned (a joining worker's handoff).
   */
  readonly refreshOwnership?: () => Promise<unknown>;
  /** The shards this worker owns now, for GetStats. */
  readonly ownedShards?: () => readonly number[];
  /** A record's shard; with it, a Flush naming shards flushes only the tables holding rows of them. */
  readonly shardOf?: (table: string, id: string) => number;
}

/** The internal cluster API a worker serves to query nodes (miniodb.cluster.v1.WorkerService). */
export function createWorkerService(deps: WorkerServiceDeps): Partial<ServiceImpl<typeof WorkerService>> {
  const { nodeId, worker, tables, admission } = deps;
  const captures = deps.captures ?? new BufferCaptures();
  return {
    async writeBatch(request) {
      const entry = await tables.require(request.table);
      const records = recordsOf(request);
      const ids = records.flatMap((record) => (record.id === undefined ? [] : [record.id]));
      const result = await admission.run(entry.name, ids, () =>
        worker.write(entry, records, {
          partial: request.partial,
          ...(request.idempotencyKey === "" ? {} : { idempotencyKey: request.idempotencyKey }),
          ...(request.sequenceFloor > 0n ? { sequenceFloor: request.sequenceFloor } : {}),
        }),
      );
      return {
        nodeId,
        recordsWritten: BigInt(result.written),
        firstSequence: result.firstSequence ?? 0n,
        lastSequence: result.lastSequence ?? 0n,
        errors: result.errors.map((error) => ({ ...error })),
        ids: request.omitIds ? [] : [...result.ids],
      };
    },

    async captureBuffer(request) {
      const parts = worker.bufferedRows(request.table);
      const rowCount = parts.reduce((sum, part) => sum + part.length, 0);
      return { captureId: captures.add(parts), rowCount: BigInt(rowCount) };
    },

    async *readCapture(request) {
      for (const part of captures.take(request.captureId, Number(request.manifestVersion))) {
        yield {
          fileKeys: [...part.fileKeys],
          rowsNdjson: Buffer.from(part.ndjson),
          rowCount: BigInt(part.rowCount),
        };
      }
    },

    async *executeFragment(request) {
      if (!deps.fragments)
        throw new MiniodbError("unimplemented", "this worker does not execute query fragments");
      yield* deps.fragments.execute(request, captures, (table, version) =>
        worker.bufferedRowsAsOf(table, version),
      );
    },

    async reserveSequence(request) {
      return { sequence: worker.nextSequence(request.floor) };
    },

    async tableStats(request) {
      const stats = worker.tableStats(request.table);
      return {
        unflushedRows: BigInt(stats.unflushedRows),
        bufferedBytes: BigInt(stats.bufferedBytes),
        lastWriteMs: BigInt(stats.lastWriteMs ?? 0),
        ...(stats.oldestUnflushedMs === undefined
          ? {}
          : { oldestUnflushedMs: BigInt(stats.oldestUnflushedMs) }),
        ...(stats.unflushedTimeRange
          ? {
              minTimestampMicros: BigInt(stats.unflushedTimeRange.min),
              maxTimestampMicros: BigInt(stats.unflushedTimeRange.max),
            }
          : {}),
      };
    },

    async dropTable(request) {
      tables.forget(request.table);
      await worker.dropTable(request.table);
      return {};
    },

    async flush(request) {
      await deps.refreshOwnership?.();
      await admission.settle();
      const names = tablesToFlush(worker, request, deps.shardOf);
      const outcomes = await Promise.all(names.map((name) => worker.flush(name)));
      return {
        recordsFlushed: BigInt(outcomes.reduce((sum, outcome) => sum + outcome.rows, 0)),
        filesWritten: outcomes.reduce((sum, outcome) => sum + outcome.files.length, 0),
      };
    },

    async getStats() {
      const bufferedRows: Record<string, bigint> = {};
      const bufferedBytes: Record<string, bigint> = {};
      for (const table of worker.bufferedTables()) {
        const stats = worker.tableStats(table);
        bufferedRows[table] = BigInt(stats.unflushedRows);
        bufferedBytes[table] = BigInt(stats.bufferedBytes);
      }
      return {
        nodeId,
        bufferedRows,
        bufferedBytes,
        lastSequence: worker.lastSequence,
        ownedShards: [...(deps.ownedShards?.() ?? [])],
        rowsScanned: BigInt(deps.fragments?.counters.rowsScanned ?? 0),
        fragmentsExecuted: BigInt(deps.fragments?.counters.fragments ?? 0),
      };
    },
  };
}

/**
 * The tables a Flush covers: those named (or every buffered one), and, when it names shards (a
 * joining worker's handoff), only those holding a row of one of them. Whole tables are flushed: a
 * buffer cannot give up some of its rows without breaking the captures queries hold of it, and a
 * table with rows of the moving shards almost always has others too.
 */
function tablesToFlush(
  worker: Worker,
  request: FlushRequest,
  shardOf: ((table: string, id: string) => number) | undefined,
): string[] {
  const names = request.tables.length > 0 ? request.tables : worker.bufferedTables();
  if (request.shards.length === 0 || !shardOf) return names;
  const moving = new Set(request.shards);
  return names.filter((name) => worker.holdsRowsWhere(name, (id) => moving.has(shardOf(name, id))));
}

function recordsOf(request: WriteBatchRequest): RecordInput[] {
  if (request.rowBlock.length > 0) {
    if (request.records.length > 0 || request.rows.length > 0)
      throw new MiniodbError("invalid_argument", "WriteBatch takes its records in one form only");
    return decodeRowBlock(request.rowBlock);
  }
  if (request.records.length > 0) {
    throw new MiniodbError(
      "invalid_argument",
      "WriteBatch takes records as rows (RecordRow), not DataRecord",
    );
  }
  return request.rows.map(recordOf);
}

function recordOf(row: RecordRow): RecordInput {
  const payload: SerializedPayload = {
    json: row.payloadJson,
    keys: row.keys,
    types: row.types.map((type) => (type === "" ? undefined : (type as ColumnType))),
  };
  return {
    id: row.id === "" ? undefined : row.id,
    timestampMicros: row.timestampMicros === undefined ? undefined : Number(row.timestampMicros),
    encodedPayload: { serialize: () => payload },
  };
}
