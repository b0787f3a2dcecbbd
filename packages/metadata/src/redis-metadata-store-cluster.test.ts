import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { metadataKeys, tableKeyPattern } from "@miniodb/core";
import { type Cluster, Redis } from "ioredis";
import { createRedisClient } from "./redis/create-redis-client.js";
import { scanKeys } from "./redis/scan-keys.js";
import { describeWithRedis, openRedisStore } from "./test-support/redis-store-fixtures.js";
import { contractFixtures as f } from "./testing/contract-fixtures.js";
import { describeMetadataStoreContract } from "./testing/metadata-store-contract.js";
import { startRedisClusterSetup, type RedisClusterSetup } from "./testing/redis-cluster-setup.js";

describeWithRedis("RedisMetadataStore (Cluster)", () => {
  let setup: RedisClusterSetup;
  const seeds = () => setup.nodes.slice(0, 1).map((node) => ({ host: "127.0.0.1", port: node.port }));
  before(async () => {
    setup = await startRedisClusterSetup();
  });
  after(async () => {
    await setup?.stop();
  });

  describeMetadataStoreContract("RedisMetadataStore Cluster", async () => ({
    store: await openRedisStore({ mode: "cluster", nodes: seeds() }),
    dispose: async () => {},
  }));

  it("spreads tables over the masters, keeps each table on one slot, and scans every master", async () => {
    const store = await openRedisStore({ mode: "cluster", nodes: seeds() });
    const names = Array.from({ length: 12 }, (_, i) => `spread_${i}`);
    for (const name of names) {
      await store.createTable(f.table(name));
      await store.commitManifest(name, { add: [f.file(name, 1)] });
      await store.addTombstones(name, [{ id: "x", sequence: 2n ** 60n, soft: true, createdAt: f.at() }]);
    }
    const client = createRedisClient({ mode: "cluster", nodes: seeds() }) as Cluster;
    try {
      // Every master holds some of the tables' keys, so listing really needs all of them.
      const perNode = await Promise.all(
        setup.nodes.map(async (node) => {
          const direct = new Redis({ host: "127.0.0.1", port: node.port });
          try {
            return (await direct.dbsize()) > 0;
          } finally {
            direct.disconnect();
          }
        }),
      );
      assert.deepEqual(perNode, [true, true, true]);
      const found = new Set<string>();
      for await (const key of scanKeys(client, "table:{spread_*}:manifest")) found.add(key);
      assert.deepEqual([...found].sort(), names.map((name) => metadataKeys.table(name, "manifest")).sort());
      for await (const key of scanKeys(client, tableKeyPattern("spread_3"))) found.add(key);
      assert.ok(found.has(metadataKeys.table("spread_3", "tombstones")));
      const listed = (await store.listTables()).filter((table) => table.name.startsWith("spread_"));
      assert.equal(listed.length, names.length);
    } finally {
      client.disconnect();
      await store.close();
    }
  });
});
