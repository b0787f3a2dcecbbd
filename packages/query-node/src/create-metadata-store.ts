import type { Logger } from "pino";
import type { MetadataStore } from "@miniodb/core";
import {
  createRedisClient,
  EmbeddedMetadataStore,
  RedisMetadataStore,
  redisConnections,
  type RedisClientOptions,
} from "@miniodb/metadata";
import type { RedisConfig } from "./config/metadata-config.js";
import type { ConnectionStats } from "./observability/node-stats.js";
import type { ResolvedConfig } from "./config/node-identity.js";

export interface NodeMetadataStore {
  readonly store: MetadataStore;
  /** For logs and status: `embedded` or `redis-<mode>`. */
  readonly kind: string;
  /** Connections now: Redis connections with a command in flight / ready and idle. */
  readonly connections: () => ConnectionStats;
}

/** The metadata store `metadata` configures: SQLite under the data directory, or Redis. */
export async function createMetadataStore(
  config: ResolvedConfig,
  embeddedPath: string,
  logger: Logger,
): Promise<NodeMetadataStore> {
  const { metadata } = config;
  if (metadata.backend === "embedded")
    return {
      store: await EmbeddedMetadataStore.create({ path: embeddedPath }),
      kind: "embedded",
      // One in-process database handle, used synchronously: idle whenever anyone can look.
      connections: () => ({ active: 0, idle: 1 }),
    };
  const redis = metadata.redis;
  const client = createRedisClient({
    ...redisClientOptions(redis),
    onError: (error) => logger.warn({ err: error }, "redis connection problem"),
  });
  const store = await RedisMetadataStore.create({
    client,
    ...(redis.replica_acks > 0
      ? { replicaAcks: { replicas: redis.replica_acks, timeoutMs: redis.replica_ack_timeout_ms } }
      : {}),
  });
  return { store, kind: `redis-${redis.mode}`, connections: () => redisConnections(client) };
}

function redisClientOptions(redis: RedisConfig): RedisClientOptions {
  const common = {
    connectTimeoutMs: redis.connect_timeout_ms,
    commandTimeoutMs: redis.command_timeout_ms,
    ...(redis.password === undefined ? {} : { password: redis.password }),
    ...(redis.username === undefined ? {} : { username: redis.username }),
  };
  switch (redis.mode) {
    case "standalone":
      return { ...common, mode: "standalone", host: redis.host, port: redis.port, db: redis.db };
    case "sentinel":
      return {
        ...common,
        mode: "sentinel",
        masterName: redis.master_name,
        sentinels: redis.sentinel_addrs,
        db: redis.db,
        ...(redis.sentinel_password === undefined ? {} : { sentinelPassword: redis.sentinel_password }),
      };
    case "cluster":
      return { ...common, mode: "cluster", nodes: redis.cluster_addrs };
  }
}
