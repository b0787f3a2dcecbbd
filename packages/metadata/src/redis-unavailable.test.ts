import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { MiniodbError } from "@miniodb/core";
import { describeWithRedis, openRedisStore } from "./test-support/redis-store-fixtures.js";
import { contractFixtures as f } from "./testing/contract-fixtures.js";
import { startRedisClusterSetup } from "./testing/redis-cluster-setup.js";
import { freeRedisPort, startRedisServer } from "./testing/redis-server-process.js";

/** Generous for a shared 2-core machine, far below a hang (ioredis's defaults queue for ~20 retries). */
const FAIL_FAST_MS = 4_000;

async function rejectsUnavailableQuickly(work: Promise<unknown>): Promise<void> {
  const started = performance.now();
  await assert.rejects(work, (error: unknown) => {
    assert.ok(MiniodbError.is(error, "unavailable") && error.retryable, String(error));
    return true;
  });
  const ms = performance.now() - started;
  assert.ok(ms < FAIL_FAST_MS, `failed after ${ms.toFixed(0)} ms`);
}

describeWithRedis("RedisMetadataStore when Redis is unreachable", () => {
  it("fails to open fast with unavailable when nothing listens", async () => {
    const port = await freeRedisPort();
    await rejectsUnavailableQuickly(openRedisStore({ mode: "standalone", host: "127.0.0.1", port }));
  });

  it("fails fast with unavailable while the server is down and recovers when it is back", async () => {
    const server = await startRedisServer();
    const store = await openRedisStore({ mode: "standalone", host: "127.0.0.1", port: server.port });
    let restarted: Awaited<ReturnType<typeof startRedisServer>> | undefined;
    try {
      await store.createTable(f.table("before"));
      server.kill();
      await rejectsUnavailableQuickly(store.getTable("before"));
      await rejectsUnavailableQuickly(store.commitManifest("before", { add: [f.file("before", 1)] }));
      await rejectsUnavailableQuickly(store.reserveSequence("down", 1));

      await server.stop();
      restarted = await startRedisServer({ port: server.port });
      const deadline = Date.now() + 10_000;
      let recovered = false;
      while (!recovered && Date.now() < deadline) {
        recovered = await store.ping().then(
          () => true,
          () => false,
        );
        if (!recovered) await sleep(50);
      }
      assert.ok(recovered, "the store did not reconnect within 10 s");
      await store.createTable(f.table("after"));
      assert.equal(await store.commitManifest("after", { add: [f.file("after", 1)] }), 1);
    } finally {
      await store.close();
      await restarted?.stop();
      await server.stop();
    }
  });
});

describeWithRedis("RedisMetadataStore when every Cluster node is down", () => {
  it("fails every call with unavailable within the operation timeout instead of queueing forever", async () => {
    const setup = await startRedisClusterSetup();
    const seed = { host: "127.0.0.1", port: setup.nodes[0]!.port };
    const store = await openRedisStore({ mode: "cluster", nodes: [seed] }, { operationTimeoutMs: 2_000 });
    try {
      await store.createTable(f.table("cluster_down"));
      for (const node of setup.nodes) node.kill();
      await rejectsUnavailableQuickly(store.getTable("cluster_down"));
      await rejectsUnavailableQuickly(store.listTables());
      await rejectsUnavailableQuickly(store.getManifest("cluster_down"));
    } finally {
      await store.close();
      await setup.stop();
    }
  });
});
