/**
 * The MinIODB internal cluster API (`miniodb.cluster.v1`): query node ↔ worker node. Generated
 * from `proto/miniodb/cluster/v1` by `npm run generate`.
 */
export * from "./gen/miniodb/cluster/v1/worker_pb.js";
