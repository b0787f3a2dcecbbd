import { MiniodbError, metadataKeys, type Lease } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { redisValues } from "./redis-values.js";

/**
 * KEYS: lease. ARGV: holder, now, expires_at. Grants when free, expired or already the holder's
 * (renewal keeps the token); every new grant gets the previous token + 1. Answers the token, or
 * nil when another holder has it.
 */
const ACQUIRE_LUA = `local lease = redis.call('HMGET', KEYS[1], 'holder', 'expires_at', 'token')
local held = lease[1] and lease[1] ~= '' and tonumber(lease[2]) > tonumber(ARGV[2])
if held and lease[1] ~= ARGV[1] then return nil end
local token = tonumber(lease[3] or '0')
if not held then token = token + 1 end
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'expires_at', ARGV[3], 'token', token)
return token`;

/** KEYS: lease. ARGV: holder, token. Keeps the token so it never goes back. */
const RELEASE_LUA = `local lease = redis.call('HMGET', KEYS[1], 'holder', 'token')
if lease[1] == ARGV[1] and lease[2] == ARGV[2] then redis.call('HSET', KEYS[1], 'holder', '') end`;

/**
 * Leases in `lease:<name>` (holder, expires_at, token), acquired, renewed and released by Lua
 * scripts so each step is atomic. The key never expires: a released lease keeps its token, so
 * fencing tokens only grow. Expiry is judged by the caller's `now`, not Redis's clock.
 */
export class RedisLeases {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async acquire(name: string, holder: string, now: Date, ttlMs: number): Promise<Lease | undefined> {
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
      throw new MiniodbError("invalid_argument", `lease ttl must be a positive integer (ms), got ${ttlMs}`);
    }
    const nowMillis = redisValues.millis(now, "now");
    const expiresAt = nowMillis + ttlMs;
    const key = metadataKeys.lease(name);
    const token = await this.#client.eval(ACQUIRE_LUA, 1, key, holder, String(nowMillis), String(expiresAt));
    if (token === null) return undefined;
    return { name, holder, expiresAt: new Date(expiresAt), token: Number(token) };
  }

  async release(lease: Lease): Promise<void> {
    await this.#client.eval(
      RELEASE_LUA,
      1,
      metadataKeys.lease(lease.name),
      lease.holder,
      String(lease.token),
    );
  }
}
