import { metadataKeys, type IdempotencyEntry } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { redisValues } from "./redis-values.js";

/**
 * How long after its `expiresAt` Redis itself deletes an entry. Expiry is judged by the caller's
 * `now`; the margin keeps a caller whose clock runs behind Redis's from losing entries early.
 */
export const IDEMPOTENCY_GRACE_MS = 60_000;

/**
 * KEYS: entry. ARGV: now, value, delete-at. First writer wins while its entry is unexpired at
 * `now`; answers the value that is stored afterwards.
 */
const PUT_LUA = `local stored = redis.call('GET', KEYS[1])
if stored and tonumber(cjson.decode(stored).expires_at) > tonumber(ARGV[1]) then return stored end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
return ARGV[2]`;

interface IdempotencyValue {
  response: string;
  expires_at: number;
}

/** Idempotency entries in `idempotency:<key>`, each with a Redis TTL so expired ones vanish. */
export class RedisIdempotency {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async get(key: string, now: Date): Promise<IdempotencyEntry | undefined> {
    const nowMillis = redisValues.millis(now, "now");
    const stored = await this.#client.get(metadataKeys.idempotency(key));
    return entryOf(key, stored, nowMillis);
  }

  /** Returns the entry that is stored now (the caller's, or an earlier unexpired one). */
  async put(entry: IdempotencyEntry, now: Date): Promise<IdempotencyEntry> {
    const nowMillis = redisValues.millis(now, "now");
    const expiresAt = redisValues.millis(entry.expiresAt, "expiresAt");
    const value: IdempotencyValue = { response: entry.response, expires_at: expiresAt };
    const args = [String(nowMillis), JSON.stringify(value), String(expiresAt + IDEMPOTENCY_GRACE_MS)];
    const stored = (await this.#client.eval(
      PUT_LUA,
      1,
      metadataKeys.idempotency(entry.key),
      ...args,
    )) as string;
    const parsed = JSON.parse(stored) as IdempotencyValue;
    return { key: entry.key, response: parsed.response, expiresAt: new Date(parsed.expires_at) };
  }
}

function entryOf(key: string, stored: string | null, nowMillis: number): IdempotencyEntry | undefined {
  if (stored === null) return undefined;
  const value = JSON.parse(stored) as IdempotencyValue;
  if (value.expires_at <= nowMillis) return undefined;
  return { key, response: value.response, expiresAt: new Date(value.expires_at) };
}
