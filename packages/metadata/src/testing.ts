/** Test support for MetadataStore implementations: `@miniodb/metadata/testing`. */
export type { MetadataStoreFixture } from "./testing/metadata-store-contract.js";
export { describeMetadataStoreContract } from "./testing/metadata-store-contract.js";
export type { RedisClusterSetup } from "./testing/redis-cluster-setup.js";
export { startRedisClusterSetup } from "./testing/redis-cluster-setup.js";
export type { RedisSentinelSetup } from "./testing/redis-sentinel-setup.js";
export { startRedisSentinelSetup } from "./testing/redis-sentinel-setup.js";
export type { RedisServerProcess, StartRedisServerOptions } from "./testing/redis-server-process.js";
export {
  freeRedisPort,
  redisServerInstalled,
  startRedisServer,
  waitForPing,
} from "./testing/redis-server-process.js";
export { REDIS_MISSING_MESSAGE, redisTestSkip } from "./testing/redis-test-requirement.js";
