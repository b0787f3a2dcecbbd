export type { EmbeddedMetadataStoreOptions } from "./embedded-metadata-store.js";
export { EmbeddedMetadataStore } from "./embedded-metadata-store.js";
export type { RedisMetadataStoreOptions } from "./redis-metadata-store.js";
export { RedisMetadataStore } from "./redis-metadata-store.js";
export type {
  RedisAddress,
  RedisClientOptions,
  RedisConnectionOptions,
} from "./redis/create-redis-client.js";
export { createRedisClient } from "./redis/create-redis-client.js";
export type { RedisConnectionCounts } from "./redis/redis-connections.js";
export { redisConnections } from "./redis/redis-connections.js";
export type { RedisClient } from "./redis/redis-client.js";
export { scanKeys } from "./redis/scan-keys.js";
export type { ReplicaAcks } from "./redis/with-replica-acks.js";
export type { SqliteDatabase, SqliteMigration } from "./sqlite-database.js";
export { openSqliteDatabase } from "./sqlite-database.js";
