import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { metadataKeys, MiniodbError, tableKeyPattern, type DataFile } from "@miniodb/core";
import { Redis } from "ioredis";
import { scanKeys } from "./redis/scan-keys.js";
import { describeWithRedis, openRedisStore } from "./test-support/redis-store-fixtures.js";
import { contractFixtures as f } from "./testing/contract-fixtures.js";
import { describeMetadataStoreContract } from "./testing/metadata-store-contract.js";
import { startRedisServer, type RedisServerProcess } from "./testing/redis-server-process.js";

const isCode = (code: MiniodbError["code"]) => (error: unknown) => MiniodbError.is(error, code);

describeWithRedis("RedisMetadataStore (standalone)", () => {
  describeMetadataStoreContract("RedisMetadataStore standalone", async () => {
    const server = await startRedisServer();
    const store = await openRedisStore({ mode: "standalone", host: "127.0.0.1", port: server.port });
    return { store, dispose: () => server.stop() };
  });

  let server: RedisServerProcess;
  let admin: Redis;
  const open = () => openRedisStore({ mode: "standalone", host: "127.0.0.1", port: server.port });
  before(async () => {
    server = await startRedisServer();
    admin = new Redis({ host: "127.0.0.1", port: server.port });
  });
  after(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it("keeps a table's config in a readable hash at table:{<name>}:config", async () => {
    const store = await open();
    await store.createTable(f.table("readable"));
    const hash = await admin.hgetall("table:{readable}:config");
    assert.equal(hash["name"], "readable");
    assert.deepEqual(JSON.parse(hash["config"]!), f.config());
    assert.equal(hash["created_at"], String(f.at(1).getTime()));
    assert.equal(hash["manifest_version"], "0");
    assert.deepEqual(await admin.smembers("tables"), ["readable"]);
    await store.close();
  });

  it("refuses writes to a missing table, reads it as empty, and rejects bad values", async () => {
    const store = await open();
    const missing = "never_created";
    await assert.rejects(store.commitManifest(missing, { add: [f.file(missing, 1)] }), isCode("not_found"));
    await assert.rejects(store.putSchema(missing, { version: 1, columns: [] }), isCode("not_found"));
    await assert.rejects(store.addTombstones(missing, []), isCode("not_found"));
    await assert.rejects(store.retireTombstones(missing, []), isCode("not_found"));
    await assert.rejects(store.touchTable(missing, f.at()), isCode("not_found"));
    assert.deepEqual(await store.getManifest(missing), { table: missing, version: 0, files: [] });
    assert.deepEqual(await store.getSchema(missing), { version: 0, columns: [] });
    await assert.rejects(store.getTable("bad}name"), isCode("invalid_argument"));
    await store.createTable(f.table("t"));
    const file = f.file("t", 1);
    const bad: DataFile[] = [
      { ...file, maxSequence: 2n ** 63n },
      { ...file, minSequence: -1n },
      { ...file, sizeBytes: 1.5 },
      { ...file, createdAt: new Date(Number.NaN) },
    ];
    for (const change of bad) {
      await assert.rejects(store.commitManifest("t", { add: [change] }), isCode("invalid_argument"));
    }
    await assert.rejects(store.reserveSequence("s", 0), isCode("invalid_argument"));
    await assert.rejects(store.acquireLease("l", "a", f.at(), 0), isCode("invalid_argument"));
    assert.equal((await store.getManifest("t")).version, 0);
    await store.close();
    await assert.rejects(store.ping(), isCode("unavailable"));
  });

  it("reports a counter past 2^63 - 1 as resource_exhausted, not retryable", async () => {
    const store = await open();
    await admin.set(metadataKeys.sequence("huge"), (2n ** 63n - 2n).toString());
    await assert.rejects(store.reserveSequence("huge", 5), (error: unknown) => {
      assert.ok(MiniodbError.is(error, "resource_exhausted") && !error.retryable, String(error));
      return true;
    });
    await store.close();
  });

  it("sees commits of another store instance and survives delete and re-create", async () => {
    const [reader, writer] = [await open(), await open()];
    await writer.createTable(f.table("shared"));
    await writer.commitManifest("shared", { add: [f.file("shared", 1)] });
    assert.equal((await reader.getManifest("shared")).version, 1);
    await writer.commitManifest("shared", { add: [f.file("shared", 2)] });
    await reader.commitManifest("shared", { add: [f.file("shared", 3)] });
    const manifest = await reader.getManifest("shared");
    assert.equal(manifest.version, 3);
    assert.deepEqual(f.byKey(manifest.files), f.byKey([1, 2, 3].map((n) => f.file("shared", n))));
    // Same name and version again after a re-create: the reader's cached copy must not be served.
    await writer.deleteTable("shared");
    await writer.createTable(f.table("shared"));
    for (const n of [7, 8, 9]) await writer.commitManifest("shared", { add: [f.file("shared", n)] });
    assert.deepEqual(
      f.byKey((await reader.getManifest("shared")).files),
      f.byKey([7, 8, 9].map((n) => f.file("shared", n))),
    );
    await reader.close();
    await writer.close();
  });

  it("deletes every key of a table and keeps the index in step with concurrent re-creates", async () => {
    const store = await open();
    await store.createTable(f.table("gone"));
    await store.putSchema("gone", { version: 1, columns: [{ name: "a", type: "BIGINT" }] });
    await store.commitManifest("gone", { add: [f.file("gone", 1)] });
    await store.addTombstones("gone", [{ id: "x", sequence: 1n, soft: false, createdAt: f.at() }]);
    assert.equal((await keysOf(tableKeyPattern("gone"))).length, 4);
    await store.deleteTable("gone");
    assert.deepEqual(await keysOf(tableKeyPattern("gone")), []);
    for (let round = 0; round < 20; round++) {
      await Promise.allSettled([store.deleteTable("flip"), store.createTable(f.table("flip"))]);
      const exists = (await store.getTable("flip")) !== undefined;
      const listed = (await store.listTables()).some((table) => table.name === "flip");
      assert.equal(listed, exists, `round ${round}: listed ${listed}, exists ${exists}`);
    }
    await store.close();
  });

  it("lists more backups and nodes than a Lua unpack can take", async () => {
    const store = await open();
    const count = 12_000;
    // In waves, so that a slow machine does not queue thousands of calls past the command timeout.
    const inWaves = async (put: (i: number) => Promise<void>) => {
      for (let start = 0; start < count; start += 500)
        await Promise.all(Array.from({ length: Math.min(500, count - start) }, (_, i) => put(start + i)));
    };
    try {
      await inWaves((i) =>
        store.putBackup({ id: `many-${i}`, objectKey: "k", nodeId: "n", createdAt: f.at(i), sizeBytes: i }),
      );
      const backups = await store.listBackups(f.at(0));
      assert.equal(backups.length, count);
      assert.equal(backups[0]?.id, `many-${count - 1}`);
      await inWaves((i) =>
        store.putNode({
          id: `w-${i}`,
          role: "worker",
          address: "a:1",
          startedAt: f.at(),
          expiresAt: f.at(1_000),
        }),
      );
      assert.equal((await store.listNodes(f.at(0))).length, count);
    } finally {
      await store.close();
    }
  });

  it("reads a warm 10,000-file manifest with one round trip", async () => {
    const store = await open();
    await store.createTable(f.table("big"));
    const files = Array.from({ length: 10_000 }, (_, i) => f.file("big", i));
    const commitStarted = performance.now();
    await store.commitManifest("big", { add: files });
    const commitMs = performance.now() - commitStarted;
    const fresh = await open();
    const cold = await timed(() => fresh.getManifest("big"));
    assert.equal(cold.value.files.length, 10_000);
    await fresh.close();
    await store.getManifest("big");
    const warm: number[] = [];
    for (let i = 0; i < 50; i++) warm.push((await timed(() => store.getManifest("big"))).ms);
    const added = await timed(() => store.commitManifest("big", { add: [f.file("big", 20_000)] }));
    const afterCommit = await timed(() => store.getManifest("big"));
    assert.equal(afterCommit.value.files.length, 10_001);
    console.log(
      `10k-file manifest (Redis standalone): commit of 10k files ${commitMs.toFixed(0)} ms; getManifest cold ` +
        `${cold.ms.toFixed(1)} ms (a new store), warm median ${median(warm).toFixed(2)} ms / max ` +
        `${Math.max(...warm).toFixed(2)} ms; commit of 1 file ${added.ms.toFixed(2)} ms, read after it ` +
        `${afterCommit.ms.toFixed(2)} ms`,
    );
    await store.close();
  });

  async function keysOf(pattern: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of scanKeys(admin, pattern)) keys.push(key);
    return keys.sort();
  }
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
