import { z } from "zod";

/**
 * The `cluster` block: how query and worker nodes find each other through the metadata store.
 * Ignored in the all-in-one mode.
 */
export const clusterSchema = z
  .object({
    /** Port of a worker's internal API (cleartext HTTP/2) and of its /metrics and health routes. 0 picks a free port. */
    port: z.number().int().min(0).max(65_535).default(7070),
    /**
     * host:port other nodes reach this node at: a worker's internal API, a query node's gRPC port.
     * Default: server.host and the bound port.
     */
    advertise_address: z
      .string()
      .regex(/^[^\s:]+:\d{1,5}$/, "host:port")
      .optional(),
    /** How often a node renews its registration. */
    heartbeat_interval_ms: z.number().int().min(50).max(60_000).default(1_000),
    /** A node that has not renewed for this long drops out of the cluster. */
    heartbeat_ttl_ms: z.number().int().min(200).max(600_000).default(10_000),
    /** How often nodes re-read the membership (the ring of workers); writes and queries re-read it on demand too. */
    membership_poll_ms: z.number().int().min(50).max(60_000).default(1_000),
    /** Shards records are hashed into; fixed for the life of a cluster, the same on every node. */
    shard_count: z.number().int().min(1).max(1_048_576).default(4_096),
    /** Points each worker has on the consistent-hash ring. */
    virtual_nodes: z.number().int().min(1).max(4_096).default(128),
    /** Deadline of one call from a query node to a worker. */
    request_timeout_ms: z.number().int().min(100).max(3_600_000).default(60_000),
    /**
     * Largest query fragment result, in cells (rows × columns), a worker sends back inline as text
     * instead of as a Parquet file; 0 sends every result as Parquet.
     */
    inline_result_cells: z.number().int().min(0).max(1_000_000).default(20_000),
  })
  .strict()
  .refine((cluster) => cluster.heartbeat_ttl_ms > cluster.heartbeat_interval_ms, {
    message: "heartbeat_ttl_ms must be longer than heartbeat_interval_ms",
  })
  .prefault({});

export type ClusterConfig = z.output<typeof clusterSchema>;
