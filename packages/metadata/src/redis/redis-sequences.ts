import { MiniodbError, metadataKeys } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";

/**
 * KEYS: counter. ARGV: count. INCRBY is exact on signed 64-bit integers, but its reply becomes a
 * Lua double, so the script answers with GET's decimal string instead.
 */
const RESERVE_LUA = `redis.call('INCRBY', KEYS[1], ARGV[1])
return redis.call('GET', KEYS[1])`;

/** Named counters in `sequence:<name>`: the last value handed out, as a decimal string. */
export class RedisSequences {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  /** Reserves `count` consecutive values and returns the first; a new counter starts at 1. */
  async reserve(name: string, count: number): Promise<bigint> {
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new MiniodbError("invalid_argument", `sequence count must be a positive integer, got ${count}`);
    }
    const last = (await this.#client.eval(
      RESERVE_LUA,
      1,
      metadataKeys.sequence(name),
      String(count),
    )) as string;
    return BigInt(last) - BigInt(count) + 1n;
  }
}
