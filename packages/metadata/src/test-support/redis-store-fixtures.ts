import { describe, it } from "node:test";
import { createRedisClient, type RedisClientOptions } from "../redis/create-redis-client.js";
import { RedisMetadataStore, type RedisMetadataStoreOptions } from "../redis-metadata-store.js";
import { redisTestSkip } from "../testing/redis-test-requirement.js";

/**
 * `describe` for Redis-backed tests: runs `body` when redis-server is installed, skips loudly
 * on a developer machine without it, and fails in CI (`CI` set) without it.
 */
export function describeWithRedis(name: string, body: () => void): void {
  const skip = redisTestSkip(Boolean(process.env["CI"]));
  if (skip) it(name, { skip }, () => undefined);
  else describe(name, body);
}

/** A store over a fresh client with short timeouts, so a broken setup fails a test quickly. */
export async function openRedisStore(
  options: RedisClientOptions,
  storeOptions: Omit<RedisMetadataStoreOptions, "client"> = {},
): Promise<RedisMetadataStore> {
  return RedisMetadataStore.create({
    client: createRedisClient({ connectTimeoutMs: 1000, commandTimeoutMs: 3000, ...options }),
    ...storeOptions,
  });
}
