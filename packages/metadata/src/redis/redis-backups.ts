import { metadataKeys, type BackupEntry } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { HMGET_ALL_LUA } from "./script-reply.js";
import { redisValues } from "./redis-values.js";

/** KEYS: entries, by_time. ARGV: id, entry JSON, created_at. */
const PUT_LUA = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])`;

/**
 * KEYS: entries, by_time. ARGV: since. Newest first; equal times by id, descending. HMGET in
 * chunks: Lua's `unpack` fails beyond a few thousand values.
 */
const LIST_LUA = `local ids = redis.call('ZREVRANGEBYSCORE', KEYS[2], '+inf', ARGV[1])
${HMGET_ALL_LUA}
return hmget_all(KEYS[1], ids)`;

interface BackupValue {
  id: string;
  object_key: string;
  node_id: string;
  created_at: number;
  size_bytes: number;
}

/**
 * The metadata backup catalogue: `backups:{catalog}` (id → entry) and `backups:{catalog}:by_time`
 * (id scored by creation time), one hash tag so both change in one script.
 */
export class RedisBackups {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async put(backup: BackupEntry): Promise<void> {
    const value: BackupValue = {
      id: backup.id,
      object_key: backup.objectKey,
      node_id: backup.nodeId,
      created_at: redisValues.millis(backup.createdAt, "createdAt"),
      size_bytes: redisValues.integer(backup.sizeBytes, "sizeBytes"),
    };
    await this.#client.eval(
      PUT_LUA,
      2,
      ...this.#keys(),
      backup.id,
      JSON.stringify(value),
      String(value.created_at),
    );
  }

  /** Backups created at or after `since`, newest first. */
  async list(since: Date): Promise<BackupEntry[]> {
    const millis = redisValues.millis(since, "since");
    const reply = (await this.#client.eval(LIST_LUA, 2, ...this.#keys(), String(millis))) as Array<
      string | null
    >;
    return reply
      .filter((value) => value !== null)
      .map((value) => {
        const entry = JSON.parse(value) as BackupValue;
        return {
          id: entry.id,
          objectKey: entry.object_key,
          nodeId: entry.node_id,
          createdAt: new Date(entry.created_at),
          sizeBytes: entry.size_bytes,
        };
      });
  }

  #keys(): string[] {
    return [metadataKeys.backups(), metadataKeys.backupTimes()];
  }
}
