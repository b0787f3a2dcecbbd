import type { RedisClient } from "./redis-client.js";

/**
 * Every key matching a glob `pattern`, by SCAN (never KEYS, which blocks the server). SCAN walks
 * one node's keyspace, so a Cluster client scans each of its masters; keys are yielded in no
 * particular order and, as SCAN guarantees, a key present throughout appears at least once.
 */
export async function* scanKeys(client: RedisClient, pattern: string, count = 1000): AsyncGenerator<string> {
  // A Cluster client knows its masters once it has loaded the slot map; a command waits for that.
  if (client.nodes) await client.ping();
  const nodes = client.nodes ? client.nodes("master") : [client];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", count);
      yield* keys;
      cursor = next;
    } while (cursor !== "0");
  }
}
