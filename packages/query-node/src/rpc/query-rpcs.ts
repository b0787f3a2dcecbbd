import { create } from "@bufbuild/protobuf";
import type { JsonObject } from "@bufbuild/protobuf";
import { MiniodbError, parseTimestampMicros } from "@miniodb/core";
import type { ResultRow } from "@miniodb/executor";
import type { DataRecord } from "@miniodb/proto";
import {
  DataRecordSchema,
  QueryDataResponseSchema,
  StreamQueryResponseSchema,
  type QueryDataRequest,
  type StreamQueryRequest,
} from "@miniodb/proto";
import { StreamQueryResponseViewSchema } from "@miniodb/proto/views";
import { RecordBytesWriter } from "./record-bytes-writer.js";
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
      yield* queryStream(queries, request.sql, batchSize, recordFromRow, (records, hasMore) =>
        create(StreamQueryResponseSchema, { records, hasMore, cursor: "" }),
      );
    },
  };
}

/**
 * StreamQuery for binary (protobuf) clients, answered with the response view: each row is encoded
 * straight to DataRecord bytes instead of going through DataRecord and Struct messages.
 */
export function createQueryViewRpcs(queries: QueryService, maxBatchRecords: number) {
  return {
    async *streamQuery(request: StreamQueryRequest) {
      const batchSize = streamBatchSize(request, maxBatchRecords);
      const writer = new RecordBytesWriter();
      const write = (row: ResultRow) => {
        const { id, micros, payload } = splitRow(row);
        writer.record(id, micros, payload);
      };
      // The writer holds exactly the rows of the batch being sent: queryStream converts a row only
      // after sending the previous full batch.
      yield* queryStream(queries, request.sql, batchSize, write, (_, hasMore) =>
        create(StreamQueryResponseViewSchema, { records: writer.take(), hasMore, cursor: "" }),
      );
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
 * is the last (`has_more` false on the last one). An empty result is one empty message. Rows are
 * converted only as they are batched, so the first message leaves after `batchSize` rows.
 */
async function* queryStream<R, M>(
  queries: QueryService,
  sql: string,
  batchSize: number,
  toRecord: (row: ResultRow) => R,
  toMessage: (records: R[], hasMore: boolean) => M,
) {
  let pending: R[] = [];
  let full: R[] | undefined;
  for await (const batch of queries.stream(sql)) {
    for (const row of batch.rows) {
      if (full) {
        yield toMessage(full, true);
        full = undefined;
      }
      pending.push(toRecord(row));
      if (pending.length === batchSize) {
        full = pending;
        pending = [];
      }
    }
  }
  yield toMessage(full ?? pending, false);
}

/** A row's record fields: see recordFromRow. */
function splitRow(row: ResultRow): { id?: string; micros?: number; payload: JsonObject } {
  const { id, timestamp, ...payload } = row;
  const micros = typeof timestamp === "string" ? timestampMicros(timestamp) : undefined;
  if (id !== undefined && typeof id !== "string") payload["id"] = id;
  if (micros === undefined && timestamp !== undefined) payload["timestamp"] = timestamp;
  return { ...(typeof id === "string" ? { id } : {}), ...(micros === undefined ? {} : { micros }), payload };
}

/**
 * A result row as a DataRecord: a VARCHAR `id` column and a TIMESTAMP `timestamp` column fill
 * the record's fields, every other column goes into the payload (so `SELECT *` streams records
 * back as they were written).
 */
export function recordFromRow(row: ResultRow): DataRecord {
  const { id, micros, payload } = splitRow(row);
  return create(DataRecordSchema, {
    id: id ?? "",
    payload,
    ...(micros === undefined ? {} : { timestamp: microsToTimestamp(micros) }),
  });
}

function timestampMicros(text: string): number | undefined {
  try {
    return parseTimestampMicros(text);
  } catch {
    return undefined;
  }
}
