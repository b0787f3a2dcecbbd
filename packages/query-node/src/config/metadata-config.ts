import { z } from "zod";

/** `host:port`, as the original's Sentinel and Cluster address lists spell them. */
const address = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, "host:port")
  .transform((text) => {
    const separator = text.lastIndexOf(":");
    return { host: text.slice(0, separator), port: Number(text.slice(separator + 1)) };
  });

/** Redis in one of the original's three modes. */
export const redisSchema = z
  .object({
    mode: z.enum(["standalone", "sentinel", "cluster"]).default("standalone"),
    /** Standalone server. */
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(1).max(65_535).default(6379),
    db: z.number().int().min(0).max(15).default(0),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** Sentinel: the monitored master's name and the Sentinels' addresses. */
    master_name: z.string().min(1).default("mymaster"),
    sentinel_addrs: z.array(address).default([]),
    sentinel_password: z.string().min(1).optional(),
    /** Cluster: seed nodes; the rest are discovered. */
    cluster_addrs: z.array(address).default([]),
    connect_timeout_ms: z.number().int().min(100).max(60_000).default(2_000),
    command_timeout_ms: z.number().int().min(100).max(60_000).default(5_000),
    /** Confirm each write on this many replicas (WAIT) so it survives a failover; 0 = off. */
    replica_acks: z.number().int().min(0).max(16).default(0),
    replica_ack_timeout_ms: z.number().int().min(10).max(60_000).default(1_000),
  })
  .strict()
  .superRefine((redis, context) => {
    if (redis.mode === "sentinel" && redis.sentinel_addrs.length === 0)
      context.addIssue({
        code: "custom",
        path: ["sentinel_addrs"],
        message: "sentinel mode needs sentinel_addrs",
      });
    if (redis.mode === "cluster" && redis.cluster_addrs.length === 0)
      context.addIssue({
        code: "custom",
        path: ["cluster_addrs"],
        message: "cluster mode needs cluster_addrs",
      });
    if (redis.mode === "cluster" && redis.replica_acks > 0)
      context.addIssue({
        code: "custom",
        path: ["replica_acks"],
        message: "replica_acks works with standalone and sentinel",
      });
  });

export type RedisConfig = z.output<typeof redisSchema>;

/** Where metadata lives: `embedded` (SQLite under `node.data_dir`) or `redis`. */
export const metadataSchema = z
  .object({
    backend: z.enum(["embedded", "redis"]).default("embedded"),
    redis: redisSchema.prefault({}),
  })
  .strict()
  .prefault({});
