import { MiniodbError } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";

/** How many replicas must confirm a write, and how long to wait for them. */
export interface ReplicaAcks {
  readonly replicas: number;
  readonly timeoutMs: number;
}

/**
 * A RedisClient whose writes (scripts and index updates) return only after `replicas` replicas
 * confirmed them with WAIT, so a write the store acknowledged survives the master's crash and a
 * Sentinel failover. Redis replicates asynchronously otherwise. When fewer replicas confirm in
 * time the call fails `unavailable`: the write happened on the master but may not survive a
 * failover, so its outcome is unknown, as after a timeout. Read-only scripts (EVAL_RO) and plain
 * reads are not confirmed. With one replica, writes fail after a failover until a replica rejoins
 * the new master: that is the price of never losing an acknowledged write.
 *
 * Not for Cluster clients: WAIT names no key, so a Cluster client would send it to any node.
 */
export function withReplicaAcks(client: RedisClient, acks: ReplicaAcks): RedisClient {
  if (client.nodes) {
    throw new MiniodbError(
      "invalid_argument",
      "replica acknowledgements (WAIT) are not supported in Cluster mode",
    );
  }
  if (!Number.isSafeInteger(acks.replicas) || acks.replicas < 1 || !Number.isSafeInteger(acks.timeoutMs)) {
    throw new MiniodbError("invalid_argument", `invalid replica acknowledgements ${JSON.stringify(acks)}`);
  }
  const confirmed = async <T>(write: Promise<T>, what: string): Promise<T> => {
    const result = await write;
    const replicas = await client.wait(acks.replicas, acks.timeoutMs);
    if (replicas < acks.replicas) {
      throw new MiniodbError(
        "unavailable",
        `${what} reached the master but only ${replicas} of ${acks.replicas} replicas confirmed it within ${acks.timeoutMs} ms`,
      );
    }
    return result;
  };
  return {
    eval: (script, numKeys, ...keysAndArgs) =>
      confirmed(client.eval(script, numKeys, ...keysAndArgs), "a write"),
    sadd: (key, ...members) => confirmed(client.sadd(key, ...members), "an index update"),
    srem: (key, ...members) => confirmed(client.srem(key, ...members), "an index update"),
    eval_ro: (script, numKeys, ...keysAndArgs) => client.eval_ro(script, numKeys, ...keysAndArgs),
    get: (key) => client.get(key),
    hmget: (key, ...fields) => client.hmget(key, ...fields),
    hgetall: (key) => client.hgetall(key),
    smembers: (key) => client.smembers(key),
    exists: (...keys) => client.exists(...keys),
    scan: (cursor, match, pattern, countToken, count) =>
      client.scan(cursor, match, pattern, countToken, count),
    wait: (replicas, timeoutMs) => client.wait(replicas, timeoutMs),
    ping: () => client.ping(),
    quit: () => client.quit(),
    disconnect: () => client.disconnect(),
  };
}
