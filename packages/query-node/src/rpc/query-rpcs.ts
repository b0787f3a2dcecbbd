import { create } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { MiniodbError, parseTimestampMicros } from "@miniodb/core";
import type { ResultRow } from "@miniodb/executor";
import {
  DataRecordSchema,
  QueryDataResponseSchema,
  StreamQueryResponseSchema,
  type DataRecord,
  type QueryDataRequest,
  type StreamQueryRequest,
} from "@miniodb/proto";
import type { QueryPager } from "../services/query-pager.js";
import type { QueryService } from "../services/query-service.js";
import { microsToTimestamp } from "./proto-convert.js";

/** StreamQuery batch size when the request leaves it at 0. */
export const DEFAULT_STREAM_BATCH = 1_000;

/** QueryData and StreamQuery of MinIODBService. */
export function createQueryRpcs(queries: QueryService, pager: QueryPager, maxBatchRecords: number) {
  return {
    async queryData(request: QueryDataRequest) {
      const page = await pager.page(request.sql, request.limit, request.cursor);
      return create(QueryDataResponseSchema, {
        resultJson: JSON.stringify(page.rows),
        hasMore: page.hasMore,
        nextCursor: page.nextCursor,
      });
    },
    async *streamQuery(request: StreamQueryRequest) {
      const batchSize = streamBatchSize(request, maxBatchRecords);
      yield* queryStream(queries, request.sql, batchSize);
    },
  };
}

function streamBatchSize(request: StreamQueryRequest, maxBatchRecords: number): number {
  if (request.cursor !== "") {
    throw new MiniodbError(
      "invalid_argument",
      "StreamQuery does not resume from a cursor: the stream itself delivers every row (use QueryData to page)",
      { details: { field: "cursor" } },
    );
  }
  if (request.batchSize < 0 || request.batchSize > maxBatchRecords) {
    throw new MiniodbError(
      "invalid_argument",
      `batch_size must be between 1 and ${maxBatchRecords} (0 means ${DEFAULT_STREAM_BATCH})`,
      { details: { field: "batch_size" } },
    );
  }
  return request.batchSize === 0 ? DEFAULT_STREAM_BATCH : request.batchSize;
}

/**
 * Every row of the result in batches of `batchSize`, each sent once the next row shows whether it
 * is the last (`has_more` false on the last one). An empty result is one empty message.
 */
async function* queryStream(queries: QueryService, sql: string, batchSize: number) {
  let pending: DataRecord[] = [];
  let full: DataRecord[] | undefined;
  for await (const batch of queries.stream(sql)) {
    for (const row of batch.rows) {
      if (full) {
        yield batchMessage(full, true);
        full = undefined;
      }
      pending.push(recordFromRow(row));
      if (pending.length === batchSize) {
        full = pending;
        pending = [];
      }
    }
  }
  if (full) yield batchMessage(full, false);
  else yield batchMessage(pending, false);
}

function batchMessage(records: DataRecord[], hasMore: boolean) {
  return create(StreamQueryResponseSchema, { records, hasMore, cursor: "" });
}

/**
 * A result row as a DataRecord: a VARCHAR `id` column and a TIMESTAMP `timestamp` column fill
 * the record's fields, every other column goes into the payload (so `SELECT *` streams records
 * back as they were written).
 */
export function recordFromRow(row: ResultRow): DataRecord {
  const { id, timestamp, ...rest } = row;
  const payload: JsonObject = rest;
  const record = create(DataRecordSchema, { payload });
  if (typeof id === "string") record.id = id;
  else if (id !== undefined) payload["id"] = id;
  const micros = typeof timestamp === "string" ? timestampMicros(timestamp) : undefined;
  if (micros !== undefined) record.timestamp = microsToTimestamp(micros);
  else if (timestamp !== undefined) payload["timestamp"] = timestamp;
  return record;
}

function timestampMicros(text: string): number | undefined {
  try {
    return parseTimestampMicros(text);
  } catch {
    return undefined;
  }
}
