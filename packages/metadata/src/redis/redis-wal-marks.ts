import { metadataKeys, type WalMark } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { redisValues } from "./redis-values.js";

/** KEYS: marks. ARGV: node id, mark JSON. A script, so replica acknowledgements cover it. */
const PUT_LUA = `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])`;
/** KEYS: marks. ARGV: node id. */
const REMOVE_LUA = `redis.call('HDEL', KEYS[1], ARGV[1])`;

interface WalMarkValue {
  sequence: string;
  updated_at: number;
}

/**
 * The workers' WAL low-water marks: one hash, `wal_marks` (worker id → JSON), without a TTL, so
 * a crashed worker's mark outlives its registry entry.
 */
export class RedisWalMarks {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async put(mark: WalMark): Promise<void> {
    const value: WalMarkValue = {
      sequence: redisValues.sequence(mark.sequence, "sequence"),
      updated_at: redisValues.millis(mark.updatedAt, "updatedAt"),
    };
    await this.#client.eval(PUT_LUA, 1, metadataKeys.walMarks(), mark.nodeId, JSON.stringify(value));
  }

  /** Every mark, sorted by node id. */
  async list(): Promise<WalMark[]> {
    const entries = await this.#client.hgetall(metadataKeys.walMarks());
    return Object.entries(entries)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([nodeId, json]) => {
        const value = JSON.parse(json) as WalMarkValue;
        return { nodeId, sequence: BigInt(value.sequence), updatedAt: new Date(value.updated_at) };
      });
  }

  async remove(nodeId: string): Promise<void> {
    await this.#client.eval(REMOVE_LUA, 1, metadataKeys.walMarks(), nodeId);
  }
}
