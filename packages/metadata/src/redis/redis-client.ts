/**
 * The part of an ioredis client (`Redis` or `Cluster`) the Redis metadata store uses, typed
 * structurally so the store can be handed any client built elsewhere (or a fault-injecting
 * wrapper) and does not depend on ioredis's class hierarchy. `createRedisClient` builds one.
 *
 * Scripts run with EVAL rather than EVALSHA: a replica promoted by Sentinel or a node that took
 * over slots has an empty script cache, and EVAL never fails with NOSCRIPT. Redis caches the
 * compiled body by its hash, so the cost is sending a few hundred bytes.
 */
export interface RedisClient {
  eval(script: string, numKeys: number, ...keysAndArgs: Array<string | number>): Promise<unknown>;
  /** A script that only reads (EVAL_RO, Redis 7): Redis refuses writes in it. */
  eval_ro(script: string, numKeys: number, ...keysAndArgs: Array<string | number>): Promise<unknown>;
  get(key: string): Promise<string | null>;
  hmget(key: string, ...fields: string[]): Promise<Array<string | null>>;
  hgetall(key: string): Promise<Record<string, string>>;
  smembers(key: string): Promise<string[]>;
  sadd(key: string, ...members: string[]): Promise<number>;
  srem(key: string, ...members: string[]): Promise<number>;
  exists(...keys: string[]): Promise<number>;
  scan(
    cursor: string,
    matchToken: "MATCH",
    pattern: string,
    countToken: "COUNT",
    count: number,
  ): Promise<[string, string[]]>;
  /** Waits until `replicas` replicas confirmed this connection's writes; answers how many did. */
  wait(replicas: number, timeoutMs: number): Promise<number>;
  ping(): Promise<string>;
  quit(): Promise<unknown>;
  disconnect(): void;
  /** Present on a Cluster client: its master nodes, each scanned separately (SCAN is per node). */
  nodes?(role: "master"): RedisClient[];
}
