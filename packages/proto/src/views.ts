/**
 * Server-side decoding views of the public write messages (`miniodb.views.v1`, generated from
 * `proto/miniodb/views/v1` by `npm run generate`) and the service descriptor that uses them.
 */
export * from "./gen/miniodb/views/v1/write_views_pb.js";
export { MinIODBWriteViewService } from "./write-view-service.js";
