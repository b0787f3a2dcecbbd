import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { MiniodbError } from "@miniodb/core";
import { QueryDataResponseSchema, type QueryDataRequest, type StreamQueryRequest } from "@miniodb/proto";
import { resultJson, type QueryPager } from "../services/query-pager.js";
import type { QueryService } from "../services/query-service.js";
import { recordBytesSink, recordMessageSink, streamRecords } from "./stream-records.js";

/** StreamQuery batch size when the request leaves it at 0. */
export const DEFAULT_STREAM_BATCH = 1_000;

/** QueryData and StreamQuery of MinIODBService. */
export function createQueryRpcs(queries: QueryService, pager: QueryPager, maxBatchRecords: number) {
  return {
    async queryData(request: QueryDataRequest) {
      const page = await pager.page(request.sql, request.limit, request.cursor);
      return create(QueryDataResponseSchema, {
        resultJson: resultJson(page),
        hasMore: page.hasMore,
        nextCursor: page.nextCursor,
      });
    },
    async *streamQuery(request: StreamQueryRequest, context: HandlerContext) {
      const batchSize = streamBatchSize(request, maxBatchRecords);
      yield* streamRecords(queries, request.sql, batchSize, recordMessageSink(), context.signal);
    },
  };
}

/**
 * StreamQuery for binary (protobuf) clients, answered with the response view: each row is encoded
 * straight to DataRecord bytes instead of going through DataRecord and Struct messages.
 */
export function createQueryViewRpcs(queries: QueryService, maxBatchRecords: number) {
  return {
    async *streamQuery(request: StreamQueryRequest, context: HandlerContext) {
      const batchSize = streamBatchSize(request, maxBatchRecords);
      yield* streamRecords(queries, request.sql, batchSize, recordBytesSink(), context.signal);
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
