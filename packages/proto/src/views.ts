/**
 * Server-side views of public messages (`miniodb.views.v1`, generated from `proto/miniodb/views/v1`
 * by `npm run generate`) and the service descriptors that use them: write requests decode with
 * payloads left as Struct bytes, StreamQuery responses encode records written as bytes.
 */
export * from "./gen/miniodb/views/v1/query_views_pb.js";
export * from "./gen/miniodb/views/v1/write_views_pb.js";
export { MinIODBQueryViewService } from "./query-view-service.js";
export { MinIODBWriteViewService } from "./write-view-service.js";
