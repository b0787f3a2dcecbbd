import assert from "node:assert/strict";
import { it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { MiniodbError } from "@miniodb/core";
import type { RedisClientOptions } from "./redis/create-redis-client.js";
import { describeWithRedis, openRedisStore } from "./test-support/redis-store-fixtures.js";
import { contractFixtures as f } from "./testing/contract-fixtures.js";
import { describeMetadataStoreContract } from "./testing/metadata-store-contract.js";
import { startRedisSentinelSetup, type RedisSentinelSetup } from "./testing/redis-sentinel-setup.js";

const sentinelOptions = (setup: RedisSentinelSetup): RedisClientOptions => ({
  mode: "sentinel",
  masterName: setup.masterName,
  sentinels: [{ host: "127.0.0.1", port: setup.sentinel.port }],
  sentinelPassword: setup.sentinelPassword,
  password: setup.password,
});

describeWithRedis("RedisMetadataStore (Sentinel)", () => {
  it("with replica acknowledgements, fails a write unavailable while no replica confirms it", async () => {
    const setup = await startRedisSentinelSetup();
    const store = await openRedisStore(sentinelOptions(setup), {
      replicaAcks: { replicas: 1, timeoutMs: 300 },
    });
    try {
      await store.createTable(f.table("acked"));
      assert.equal(await store.commitManifest("acked", { add: [f.file("acked", 1)] }), 1);
      setup.replica.kill();
      await assert.rejects(store.commitManifest("acked", { add: [f.file("acked", 2)] }), (error: unknown) => {
        assert.ok(MiniodbError.is(error, "unavailable") && error.retryable, String(error));
        assert.match(error.message, /0 of 1 replicas/);
        return true;
      });
      assert.equal(
        (await store.getManifest("acked")).version,
        2,
        "reads still work; the write reached the master",
      );
    } finally {
      await store.close();
      await setup.stop();
    }
  });

  describeMetadataStoreContract("RedisMetadataStore Sentinel", async () => {
    const setup = await startRedisSentinelSetup();
    const store = await openRedisStore(sentinelOptions(setup));
    return { store, dispose: () => setup.stop() };
  });

  it("keeps working after the master is killed and the replica promoted, committed manifests included", async () => {
    const setup = await startRedisSentinelSetup();
    const store = await openRedisStore(sentinelOptions(setup));
    // The writes before the crash wait for the replica, so none of them can be lost with the
    // master (replication is asynchronous otherwise). After the failover no replica is left to
    // confirm, so the test goes on with the store that does not ask for confirmations.
    const durable = await openRedisStore(sentinelOptions(setup), {
      replicaAcks: { replicas: 1, timeoutMs: 2_000 },
    });
    try {
      await durable.createTable(f.table("failover"));
      const change = { add: [f.file("failover", 1)], expectedVersion: 0 };
      assert.equal(await durable.commitManifest("failover", change), 1);
      await durable.putSchema("failover", { version: 1, columns: [{ name: "a", type: "BIGINT" }] });
      const first = await durable.reserveSequence("failover", 10);
      await durable.close();
      assert.equal((await store.getManifest("failover")).version, 1);

      setup.master.kill();
      const newMaster = await setup.waitForNewMaster(setup.master.port);
      assert.equal(newMaster, setup.replica.port);

      // Writes during the switch fail `unavailable` (retryable); one succeeds once the client
      // has asked the Sentinel for the new master.
      const failures: unknown[] = [];
      let version: number | undefined;
      const deadline = Date.now() + 20_000;
      while (version === undefined && Date.now() < deadline) {
        try {
          version = await store.commitManifest("failover", {
            add: [f.file("failover", 2)],
            expectedVersion: 1,
          });
        } catch (error) {
          failures.push(error);
          await sleep(100);
        }
      }
      for (const error of failures) {
        assert.ok(MiniodbError.is(error, "unavailable") && error.retryable, String(error));
      }
      assert.equal(version, 2, "the commit after the failover must apply on top of version 1");
      const manifest = await store.getManifest("failover");
      assert.deepEqual(f.byKey(manifest.files), f.byKey([f.file("failover", 1), f.file("failover", 2)]));
      assert.equal((await store.getSchema("failover")).version, 1);
      assert.equal(await store.reserveSequence("failover", 1), first + 10n);
    } finally {
      await durable.close();
      await store.close();
      await setup.stop();
    }
  });
});
