import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { MiniodbError, type DataFile } from "@miniodb/core";
import { EmbeddedMetadataStore } from "./embedded-metadata-store.js";
import { contractFixtures as f } from "./testing/contract-fixtures.js";
import { describeMetadataStoreContract } from "./testing/metadata-store-contract.js";

const dirs: string[] = [];
const tempPath = () => {
  const dir = mkdtempSync(join(tmpdir(), "miniodb-metadata-"));
  dirs.push(dir);
  return join(dir, "metadata.db");
};
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const isCode = (code: MiniodbError["code"]) => (error: unknown) => MiniodbError.is(error, code);

describeMetadataStoreContract("EmbeddedMetadataStore", async () => ({
  store: await EmbeddedMetadataStore.create({ path: tempPath() }),
  dispose: async () => {},
}));

describe("EmbeddedMetadataStore", () => {
  it("keeps everything across close and reopen", async () => {
    const path = tempPath();
    const first = await EmbeddedMetadataStore.create({ path });
    await first.createTable(f.table("users"));
    await first.putSchema("users", { version: 1, columns: [{ name: "age", type: "BIGINT" }] });
    await first.commitManifest("users", { add: [f.file("users", 1)] });
    await first.addTombstones("users", [{ id: "u1", sequence: 2n ** 62n, soft: true, createdAt: f.at() }]);
    await first.reserveSequence("rows", Number.MAX_SAFE_INTEGER);
    const lease = await first.acquireLease("compaction", "node-a", f.at(), 1_000);
    await first.close();
    await first.close();

    const second = await EmbeddedMetadataStore.create({ path });
    assert.deepEqual(await second.getTable("users"), f.table("users"));
    assert.deepEqual((await second.getSchema("users")).version, 1);
    assert.deepEqual(await second.getManifest("users"), {
      table: "users",
      version: 1,
      files: [f.file("users", 1)],
    });
    assert.equal((await second.listTombstones("users"))[0]?.sequence, 2n ** 62n);
    assert.equal(await second.reserveSequence("rows", 1), 2n ** 53n);
    const next = await second.acquireLease("compaction", "node-b", f.at(5_000), 1_000);
    assert.ok(next && next.token > lease!.token);
    await second.close();
  });

  it("keeps a resolved commit when the process is killed right after", async () => {
    const path = tempPath();
    const setup = await EmbeddedMetadataStore.create({ path });
    await setup.createTable(f.table("killed"));
    await setup.close();
    const moduleUrl = pathToFileURL(join(import.meta.dirname, "embedded-metadata-store.ts")).href;
    const script = `
      const { EmbeddedMetadataStore } = await import(${JSON.stringify(moduleUrl)});
      const store = await EmbeddedMetadataStore.create({ path: ${JSON.stringify(path)} });
      const file = { key: "data/killed/dt=2100-01-02/n-1.parquet", partition: "2100-01-02", etag: "e",
        sizeBytes: 1, rowCount: 1, minTimestamp: 1, maxTimestamp: 2, minId: "a", maxId: "b",
        schemaVersion: 1, minSequence: 2n ** 61n, maxSequence: 2n ** 61n + 1n, nodeId: "n",
        createdAt: new Date(1) };
      await store.commitManifest("killed", { add: [file], expectedVersion: 0 });
      await store.reserveSequence("killed", 7);
      process.kill(process.pid, "SIGKILL");`;
    const args = ["--import", "tsx", "--conditions=@miniodb/source", "--input-type=module", "-e", script];
    const result = spawnSync(process.execPath, args, { cwd: import.meta.dirname, encoding: "utf8" });
    assert.equal(result.signal, "SIGKILL", result.stderr);
    const store = await EmbeddedMetadataStore.create({ path });
    const manifest = await store.getManifest("killed");
    assert.equal(manifest.version, 1);
    assert.equal(manifest.files[0]?.maxSequence, 2n ** 61n + 1n);
    assert.equal(await store.reserveSequence("killed", 1), 8n);
    await store.close();
  });

  it("refuses writes to a missing table and reads it as empty", async () => {
    const store = await EmbeddedMetadataStore.create({ path: tempPath() });
    const missing = "never_created";
    await assert.rejects(store.commitManifest(missing, { add: [f.file(missing, 1)] }), isCode("not_found"));
    await assert.rejects(store.putSchema(missing, { version: 1, columns: [] }), isCode("not_found"));
    await assert.rejects(store.addTombstones(missing, []), isCode("not_found"));
    await assert.rejects(store.retireTombstones(missing, []), isCode("not_found"));
    await assert.rejects(store.touchTable(missing, f.at()), isCode("not_found"));
    assert.deepEqual(await store.getManifest(missing), { table: missing, version: 0, files: [] });
    assert.deepEqual(await store.getSchema(missing), { version: 0, columns: [] });
    assert.deepEqual(await store.listTombstones(missing), []);
    assert.equal(await store.getLastWrite(missing), undefined);
    await store.close();
  });

  it("keeps object keys unique across tables and the latest write time", async () => {
    const store = await EmbeddedMetadataStore.create({ path: tempPath() });
    await store.createTable(f.table("left"));
    await store.createTable(f.table("right"));
    await store.commitManifest("left", { add: [f.file("left", 1)] });
    await assert.rejects(
      store.commitManifest("right", { add: [f.file("left", 1)] }),
      isCode("already_exists"),
    );
    await store.touchTable("left", f.at(2_000));
    await store.touchTable("left", f.at(1_000));
    assert.deepEqual(await store.getLastWrite("left"), f.at(2_000));
    await store.close();
  });

  it("rejects values it cannot store exactly as invalid_argument", async () => {
    const store = await EmbeddedMetadataStore.create({ path: tempPath() });
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
  });

  it("reports a database locked by another connection as unavailable", async () => {
    const path = tempPath();
    const store = await EmbeddedMetadataStore.create({ path, busyTimeoutMs: 20 });
    const other = new Database(path);
    other.exec("BEGIN IMMEDIATE");
    try {
      await assert.rejects(store.reserveSequence("s", 1), (error: unknown) => {
        assert.ok(MiniodbError.is(error, "unavailable") && error.retryable, String(error));
        assert.equal((error.cause as { code?: string }).code, "SQLITE_BUSY");
        return true;
      });
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    assert.equal(await store.reserveSequence("s", 1), 1n);
    await store.close();
    await assert.rejects(store.ping(), isCode("unavailable"));
  });

  it("reports a file that is not a database as data_loss", async () => {
    const path = tempPath();
    writeFileSync(path, "this is not a SQLite database, just some text ".repeat(200));
    await assert.rejects(EmbeddedMetadataStore.create({ path }), isCode("data_loss"));
  });

  it("sees manifest commits made through another connection to the file", async () => {
    const path = tempPath();
    const reader = await EmbeddedMetadataStore.create({ path });
    const writer = await EmbeddedMetadataStore.create({ path });
    await writer.createTable(f.table("shared"));
    await writer.commitManifest("shared", { add: [f.file("shared", 1)] });
    assert.equal((await reader.getManifest("shared")).version, 1);
    await writer.commitManifest("shared", { add: [f.file("shared", 2)] });
    await reader.commitManifest("shared", { add: [f.file("shared", 3)] });
    const manifest = await reader.getManifest("shared");
    assert.equal(manifest.version, 3);
    assert.deepEqual(f.byKey(manifest.files), f.byKey([1, 2, 3].map((n) => f.file("shared", n))));
    await reader.close();
    await writer.close();
  });

  it("sees tombstones written through another connection to the file", async () => {
    const path = tempPath();
    const reader = await EmbeddedMetadataStore.create({ path });
    const writer = await EmbeddedMetadataStore.create({ path });
    await writer.createTable(f.table("shared"));
    const tombstone = (id: string) => ({ id, sequence: 5n, soft: false, createdAt: f.at(0) });
    await writer.addTombstones("shared", [tombstone("a")]);
    assert.deepEqual(
      (await reader.listTombstones("shared")).map((entry) => entry.id),
      ["a"],
    );
    await writer.addTombstones("shared", [tombstone("b")]);
    assert.deepEqual(
      (await reader.listTombstones("shared")).map((entry) => entry.id),
      ["a", "b"],
    );
    await reader.close();
    await writer.close();
  });

  it("prunes expired idempotency entries as new ones are put", async () => {
    const path = tempPath();
    const store = await EmbeddedMetadataStore.create({ path });
    for (let i = 0; i < 5; i++) {
      await store.putIdempotency({ key: `old-${i}`, response: "r", expiresAt: f.at(1_000) }, f.at(0));
    }
    await store.putIdempotency({ key: "new", response: "r", expiresAt: f.at(9_000) }, f.at(2_000));
    const db = new Database(path, { readonly: true });
    assert.deepEqual(db.prepare("SELECT key FROM idempotency").pluck().all(), ["new"]);
    db.close();
    await store.close();
  });

  it("reads a 100k-file manifest in about a second once, from memory after, and commits without rewriting it", async () => {
    const path = tempPath();
    const build = await EmbeddedMetadataStore.create({ path });
    await build.createTable(f.table("big"));
    const started = performance.now();
    for (let chunk = 0; chunk < 10; chunk++) {
      const add = Array.from({ length: 10_000 }, (_, i) => f.file("big", chunk * 10_000 + i));
      await build.commitManifest("big", { add });
    }
    const buildMs = performance.now() - started;
    await build.close();

    // Cold: a fresh store reads every row. Best of three, so a busy machine does not decide it.
    const colds: number[] = [];
    for (let round = 0; round < 3; round++) {
      const fresh = await EmbeddedMetadataStore.create({ path });
      const cold = await timed(() => fresh.getManifest("big"));
      assert.equal(cold.value.files.length, 100_000);
      colds.push(cold.ms);
      await fresh.close();
    }
    const store = await EmbeddedMetadataStore.create({ path });
    await store.getManifest("big");
    const warm = await timed(() => store.getManifest("big"));
    const commits: number[] = [];
    for (let i = 0; i < 20; i++) {
      const change = i < 15 ? { add: [f.file("big", 200_000 + i)] } : { remove: [f.file("big", i).key] };
      commits.push((await timed(() => store.commitManifest("big", change))).ms);
    }
    const after = await timed(() => store.getManifest("big"));
    assert.equal(after.value.version, 10 + 20);
    assert.equal(after.value.files.length, 100_000 + 15 - 5);
    const [cold, commit] = [Math.min(...colds), median(commits)];
    console.log(
      `100k-file manifest: build ${buildMs.toFixed(0)} ms (10 commits of 10k files); getManifest cold ` +
        `${colds.map((ms) => ms.toFixed(0)).join("/")} ms, warm ${warm.ms.toFixed(2)} ms, after 20 commits ` +
        `${after.ms.toFixed(2)} ms; commit of 1 file (15 adds, 5 removes) median ${commit.toFixed(2)} ms, ` +
        `max ${Math.max(...commits).toFixed(2)} ms`,
    );
    // Bounds are loose on purpose (tests share a noisy 2-core machine); they still catch a manifest
    // that is rewritten per commit (~1 s each at this size) or re-read from disk per call.
    // Typical figures here: cold 0.7–1.1 s, warm 0.3 ms, commit median 3–12 ms.
    assert.ok(cold < 8_000, `cold getManifest took ${cold} ms`);
    assert.ok(warm.ms < 200 && after.ms < 200, `warm getManifest took ${warm.ms} / ${after.ms} ms`);
    assert.ok(commit < 400, `commit of one file took ${commit} ms (median)`);
    await store.close();
  });
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
