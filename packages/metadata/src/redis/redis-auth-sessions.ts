import { MiniodbError, metadataKeys, type AuthSession, type AuthSessionRotation } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { redisValues } from "./redis-values.js";

/**
 * How long after its `expiresAt` Redis itself deletes a session. Expiry is judged by the caller's
 * `now`; the margin keeps a caller whose clock runs behind Redis's from losing sessions early.
 */
export const AUTH_SESSION_GRACE_MS = 60_000;

/**
 * KEYS: session. ARGV: now, key_id, token_id, expires_at, delete-at. Creates the session unless an
 * unexpired one holds the id; answers 1 when created, 0 when taken.
 */
const CREATE_LUA = `local expires = redis.call('HGET', KEYS[1], 'expires_at')
if expires and tonumber(expires) > tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'key_id', ARGV[2], 'token_id', ARGV[3], 'expires_at', ARGV[4], 'revoked', '0')
redis.call('PEXPIREAT', KEYS[1], ARGV[5])
return 1`;

/**
 * KEYS: session. ARGV: now, presented token id, next token id. Answers the outcome, and for
 * `rotated` the key id and expiry as well.
 */
const ROTATE_LUA = `local s = redis.call('HMGET', KEYS[1], 'key_id', 'token_id', 'expires_at', 'revoked')
if not s[1] or tonumber(s[3]) <= tonumber(ARGV[1]) then return {'unknown'} end
if s[4] == '1' then return {'revoked'} end
if s[2] ~= ARGV[2] then
  redis.call('HSET', KEYS[1], 'revoked', '1')
  return {'reused'}
end
redis.call('HSET', KEYS[1], 'token_id', ARGV[3])
return {'rotated', s[1], s[3]}`;

/** KEYS: session. ARGV: now. Marks an unexpired session revoked. */
const REVOKE_LUA = `local expires = redis.call('HGET', KEYS[1], 'expires_at')
if expires and tonumber(expires) > tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'revoked', '1') end`;

/**
 * Auth sessions in `auth_session:<id>` hashes with a Redis TTL past their expiry. Every change is a
 * Lua script over the one key, so a rotation is an atomic compare-and-swap in every mode.
 */
export class RedisAuthSessions {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async create(session: Omit<AuthSession, "revoked">, now: Date): Promise<void> {
    const nowMillis = redisValues.millis(now, "now");
    const expiresAt = redisValues.millis(session.expiresAt, "expiresAt");
    const created = await this.#client.eval(
      CREATE_LUA,
      1,
      metadataKeys.authSession(session.id),
      String(nowMillis),
      session.keyId,
      session.refreshTokenId,
      String(expiresAt),
      String(expiresAt + AUTH_SESSION_GRACE_MS),
    );
    if (Number(created) !== 1) {
      throw new MiniodbError("already_exists", `auth session ${session.id} already exists`);
    }
  }

  async get(id: string, now: Date): Promise<AuthSession | undefined> {
    const nowMillis = redisValues.millis(now, "now");
    const [keyId, tokenId, expiresAt, revoked] = await this.#client.hmget(
      metadataKeys.authSession(id),
      "key_id",
      "token_id",
      "expires_at",
      "revoked",
    );
    if (!keyId || !tokenId || !expiresAt || Number(expiresAt) <= nowMillis) {
      return undefined;
    }
    return {
      id,
      keyId,
      refreshTokenId: tokenId,
      expiresAt: new Date(Number(expiresAt)),
      revoked: revoked === "1",
    };
  }

  async rotate(id: string, presented: string, next: string, now: Date): Promise<AuthSessionRotation> {
    const nowMillis = redisValues.millis(now, "now");
    const reply = (await this.#client.eval(
      ROTATE_LUA,
      1,
      metadataKeys.authSession(id),
      String(nowMillis),
      presented,
      next,
    )) as string[];
    const [outcome, keyId, expiresAt] = reply;
    if (outcome === "rotated") {
      const session = { id, keyId: keyId!, refreshTokenId: next, expiresAt: new Date(Number(expiresAt)) };
      return { outcome, session: { ...session, revoked: false } };
    }
    if (outcome === "reused" || outcome === "revoked" || outcome === "unknown") return { outcome };
    throw new MiniodbError("internal", `unexpected auth session reply ${JSON.stringify(reply)}`);
  }

  async revoke(id: string, now: Date): Promise<void> {
    const nowMillis = redisValues.millis(now, "now");
    await this.#client.eval(REVOKE_LUA, 1, metadataKeys.authSession(id), String(nowMillis));
  }
}
