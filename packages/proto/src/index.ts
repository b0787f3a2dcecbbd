/**
 * The MinIODB public API (`miniodb.v1`), generated from `proto/miniodb/v1` by `npm run generate`.
 * Message schemas, types and the `MinIODBService` / `AuthService` descriptors.
 */
export * from "./gen/miniodb/v1/miniodb_pb.js";
