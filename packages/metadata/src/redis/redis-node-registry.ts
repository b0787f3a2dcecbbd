import { metadataKeys, type NodeEntry, type NodeRole, type NodeState } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { HMGET_ALL_LUA } from "./script-reply.js";
import { redisValues } from "./redis-values.js";

/** Entries that lapsed this long before a listing's `now` are deleted by it (as in the embedded store). */
export const NODE_RETENTION_MS = 24 * 60 * 60 * 1000;

/** KEYS: entries, expiry. ARGV: id, entry JSON, expires_at. */
const PUT_LUA = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])`;

/** KEYS: entries, expiry. ARGV: id. */
const REMOVE_LUA = `redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])`;

/** KEYS: entries, expiry. ARGV: now, prune-before. Prunes long-lapsed entries, returns live ones. */
const LIST_LUA = `local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
for _, id in ipairs(old) do redis.call('HDEL', KEYS[1], id) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
local live = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf')
${HMGET_ALL_LUA}
return hmget_all(KEYS[1], live)`;

interface NodeValue {
  id: string;
  role: NodeRole;
  address: string;
  started_at: number;
  expires_at: number;
  state?: NodeState;
}

/**
 * The node registry: `nodes:{registry}` (id → entry) and `nodes:{registry}:expiry` (id scored by
 * expiry), one hash tag so both change in one script. An entry is live while `now < expiresAt`
 * by the caller's clock, so the heartbeat TTL does not depend on Redis's clock; listings delete
 * entries that lapsed more than `NODE_RETENTION_MS` ago.
 */
export class RedisNodeRegistry {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async put(node: NodeEntry): Promise<void> {
    const value: NodeValue = {
      id: node.id,
      role: node.role,
      address: node.address,
      started_at: redisValues.millis(node.startedAt, "startedAt"),
      expires_at: redisValues.millis(node.expiresAt, "expiresAt"),
      ...(node.state === undefined || node.state === "active" ? {} : { state: node.state }),
    };
    await this.#client.eval(
      PUT_LUA,
      2,
      ...this.#keys(),
      node.id,
      JSON.stringify(value),
      String(value.expires_at),
    );
  }

  /** Live nodes at `now`, sorted by id. */
  async list(now: Date): Promise<NodeEntry[]> {
    const millis = redisValues.millis(now, "now");
    const reply = await this.#client.eval(
      LIST_LUA,
      2,
      ...this.#keys(),
      String(millis),
      String(millis - NODE_RETENTION_MS),
    );
    return (reply as Array<string | null>)
      .filter((value) => value !== null)
      .map((value) => JSON.parse(value) as NodeValue)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((value) => ({
        id: value.id,
        role: value.role,
        address: value.address,
        startedAt: new Date(value.started_at),
        expiresAt: new Date(value.expires_at),
        ...(value.state === undefined || value.state === "active" ? {} : { state: value.state }),
      }));
  }

  async remove(id: string): Promise<void> {
    await this.#client.eval(REMOVE_LUA, 2, ...this.#keys(), id);
  }

  #keys(): string[] {
    return [metadataKeys.nodes(), metadataKeys.nodeExpiry()];
  }
}
