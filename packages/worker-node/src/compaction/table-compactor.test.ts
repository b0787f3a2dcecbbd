import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { normalizeTableConfig, type DataFile, type TableEntry } from "@miniodb/core";
import { ParquetFileWriter, readParquetRows } from "@miniodb/executor";
import { EmbeddedMetadataStore } from "@miniodb/metadata";
import { LocalObjectStore } from "@miniodb/storage";
import { WriteAheadLog } from "../wal/write-ahead-log.js";
import { Worker } from "../worker.js";
import { TableCompactor } from "./table-compactor.js";
import { localUnflushedRows } from "./unflushed-rows.js";

const DAY_US = 86_400_000_000;
const T0 = Date.UTC(2026, 10, 20) * 1000;

async function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "miniodb-compact-"));
  const scratch = join(dir, "scratch");
  mkdirSync(scratch);
  const metadata = await EmbeddedMetadataStore.create({ path: join(dir, "metadata.db") });
  const objects = await LocalObjectStore.create({ root: join(dir, "objects") });
  const writer = await ParquetFileWriter.create({ workDirectory: scratch });
  const worker = await Worker.start({
    nodeId: "node-1",
    metadata,
    objects,
    writer,
    wal: await WriteAheadLog.open({ directory: join(dir, "wal") }),
    scratchDirectory: scratch,
    flushCheckIntervalMs: 60_000,
  });
  const table: TableEntry = {
    name: "t",
    config: normalizeTableConfig({ bufferSize: 1_000_000 }),
    createdAt: new Date(1),
  };
  await metadata.createTable(table);
  const compactor = new TableCompactor({
    metadata,
    objects,
    writer,
    scratchDirectory: scratch,
    buffers: localUnflushedRows(worker),
    policy: { targetFileBytes: 128 * 1024 * 1024, minSmallFiles: 4 },
  });
  /** Every row of the table's files, as `id@seq`, after its tombstones. */
  const liveRows = async () => {
    const tombstones = new Map((await metadata.listTombstones("t")).map((t) => [t.id, t.sequence]));
    const out: string[] = [];
    for (const file of (await metadata.getManifest("t")).files) {
      const path = join(dir, "read.parquet");
      writeFileSync(path, await objects.get(file.key));
      for (const row of await readParquetRows(path)) {
        const seq = row["__miniodb_seq"] as bigint;
        const dead = tombstones.get(String(row["id"]));
        if (dead === undefined || dead < seq) out.push(`${String(row["id"])}@${seq}:${String(row["v"])}`);
      }
    }
    return out.sort();
  };
  /** Another worker of the same cluster, publishing its WAL mark; the compactor does not capture it. */
  const otherWorker = async () =>
    Worker.start({
      nodeId: "node-2",
      metadata,
      objects,
      writer,
      wal: await WriteAheadLog.open({ directory: join(dir, "wal-2") }),
      scratchDirectory: scratch,
      flushCheckIntervalMs: 60_000,
      publishWalMark: true,
    });
  return { metadata, objects, worker, otherWorker, table, compactor, liveRows, close: () => worker.close() };
}

const keys = async (objects: LocalObjectStore): Promise<string[]> => {
  const listed: string[] = [];
  for await (const object of objects.list("data/")) listed.push(object.key);
  return listed.sort();
};

const files = async (metadata: EmbeddedMetadataStore): Promise<readonly DataFile[]> =>
  (await metadata.getManifest("t")).files;

describe("TableCompactor", () => {
  it("merges many small flushes per day into one file each with the same live rows", async () => {
    const f = await fixture();
    for (let flush = 0; flush < 12; flush++) {
      const records = Array.from({ length: 20 }, (_, i) => ({
        id: `r${(flush * 20 + i) % 150}`,
        timestampMicros: T0 + (i % 2) * DAY_US,
        payload: { v: flush * 100 + i },
      }));
      await f.worker.write(f.table, records);
      await f.worker.flush("t");
    }
    assert.equal((await files(f.metadata)).length, 24);
    const before = await f.liveRows();
    const outcome = await f.compactor.compact(f.table);
    assert.equal(outcome.filesBefore, 24);
    assert.equal(outcome.filesAfter, 2);
    assert.equal(outcome.replacedKeys.length, 24);
    assert.deepEqual(await f.liveRows(), before);
    for (const file of await files(f.metadata)) assert.match(file.key, /\.c[a-z0-9]+\.parquet$/);
    // Nothing left to do: a second run changes nothing.
    const again = await f.compactor.compact(f.table);
    assert.equal(again.bins, 0);
    await f.close();
  });

  it("commits under its lease and stops, keeping nothing, once the lease went to another node", async () => {
    const f = await fixture();
    for (let flush = 0; flush < 6; flush++) {
      await f.worker.write(f.table, [{ id: `r${flush}`, timestampMicros: T0, payload: { v: flush } }]);
      await f.worker.flush("t");
    }
    const before = await files(f.metadata);
    const objectsBefore = await keys(f.objects);
    const stale = (await f.metadata.acquireLease("lifecycle", "node-1", new Date(0), 1_000))!;
    await f.metadata.acquireLease("lifecycle", "node-2", new Date(5_000), 60_000);
    await assert.rejects(
      f.compactor.compact(f.table, { fence: { name: stale.name, token: stale.token } }),
      (error: Error & { details?: Record<string, unknown> }) => error.details?.["reason"] === "lease_lost",
    );
    assert.deepEqual(await files(f.metadata), before, "the stale holder's commit was refused");
    assert.deepEqual(await keys(f.objects), objectsBefore, "and its written file deleted");
    const current = (await f.metadata.acquireLease("lifecycle", "node-2", new Date(6_000), 60_000))!;
    const outcome = await f.compactor.compact(f.table, {
      fence: { name: current.name, token: current.token },
    });
    assert.equal(outcome.filesAfter, 1);
    await f.close();
  });

  it("purges hard-deleted rows and superseded versions, retires their tombstones, keeps soft deletes", async () => {
    const f = await fixture();
    await f.worker.write(f.table, [
      { id: "a", timestampMicros: T0, payload: { v: 1 } },
      { id: "b", timestampMicros: T0, payload: { v: 2 } },
      { id: "c", timestampMicros: T0, payload: { v: 3 } },
    ]);
    await f.worker.flush("t");
    const update = await f.worker.write(f.table, [{ id: "a", timestampMicros: T0, payload: { v: 10 } }]);
    await f.worker.flush("t");
    const now = new Date();
    await f.metadata.addTombstones("t", [
      { id: "a", sequence: update.firstSequence! - 1n, soft: false, createdAt: now },
      { id: "b", sequence: f.worker.nextSequence(), soft: false, createdAt: now },
      { id: "c", sequence: f.worker.nextSequence(), soft: true, createdAt: now },
    ]);
    const before = await f.liveRows();
    const outcome = await f.compactor.compact(f.table);
    assert.equal(outcome.tombstonesRetired, 2);
    assert.deepEqual(
      (await f.metadata.listTombstones("t")).map((t) => [t.id, t.soft]),
      [["c", true]],
    );
    assert.deepEqual(await f.liveRows(), before);
    assert.equal(
      outcome.rowsAfter,
      2,
      "a's new version and soft-deleted c are stored; b and a's old version are gone",
    );
    await f.close();
  });

  it("keeps a tombstone while an unflushed row it hides is still buffered", async () => {
    const f = await fixture();
    await f.worker.write(f.table, [{ id: "x", timestampMicros: T0, payload: { v: 1 } }]);
    await f.worker.flush("t");
    await f.worker.write(f.table, [{ id: "x", timestampMicros: T0, payload: { v: 2 } }]);
    await f.metadata.addTombstones("t", [
      { id: "x", sequence: f.worker.nextSequence(), soft: false, createdAt: new Date() },
    ]);
    const outcome = await f.compactor.compact(f.table);
    assert.equal(outcome.tombstonesRetired, 0);
    assert.equal(outcome.filesAfter, 0, "the flushed row was purged");
    await f.worker.flush("t");
    assert.deepEqual(await f.liveRows(), [], "the buffered row stays hidden after its flush");
    const later = await f.compactor.compact(f.table);
    assert.equal(later.tombstonesRetired, 1);
    assert.deepEqual(await f.liveRows(), []);
    await f.close();
  });

  it("keeps a tombstone while the WAL mark of a worker it could not capture is at or below it", async () => {
    const f = await fixture();
    const other = await f.otherWorker();
    await other.publishWalMark();
    await f.worker.write(f.table, [{ id: "x", timestampMicros: T0, payload: { v: 1 } }]);
    await f.worker.flush("t");
    // A newer version of x in the other worker's WAL only: as if it had crashed before flushing.
    const written = await other.write(f.table, [{ id: "x", timestampMicros: T0, payload: { v: 2 } }]);
    await other.publishWalMark();
    const [mark] = await f.metadata.listWalMarks();
    assert.equal(mark?.nodeId, "node-2");
    assert.ok(mark.sequence <= written.firstSequence!, "the mark is at or below its unflushed row");
    await f.metadata.addTombstones("t", [
      { id: "x", sequence: other.nextSequence(), soft: false, createdAt: new Date() },
    ]);
    const outcome = await f.compactor.compact(f.table);
    assert.equal(outcome.filesAfter, 0, "the flushed row was purged");
    assert.equal(outcome.tombstonesRetired, 0, "the row in the other worker's WAL still needs it");
    // Back, the other worker flushes what its WAL held and its mark moves past the tombstone.
    await other.flush("t");
    await other.publishWalMark();
    assert.deepEqual(await f.liveRows(), [], "the flushed row is hidden");
    const later = await f.compactor.compact(f.table);
    assert.equal(later.tombstonesRetired, 1);
    assert.deepEqual(await f.liveRows(), []);
    assert.equal(await other.releaseWalMark(), true, "nothing unflushed: the mark is removed");
    assert.deepEqual(await f.metadata.listWalMarks(), []);
    await other.close();
    await f.close();
  });

  it("loses no concurrently flushed file and counts no row twice when flushes race it", async () => {
    const f = await fixture();
    let next = 0;
    const write = async () => {
      const records = Array.from({ length: 10 }, () => ({
        id: `k${next++}`,
        timestampMicros: T0,
        payload: { v: 0 },
      }));
      await f.worker.write(f.table, records);
      await f.worker.flush("t");
    };
    for (let i = 0; i < 8; i++) await write();
    let racing = true;
    const racer = (async () => {
      while (racing) await write();
    })();
    await f.compactor.compact(f.table);
    await f.compactor.compact(f.table);
    racing = false;
    await racer;
    const live = await f.liveRows();
    assert.equal(live.length, next);
    assert.equal(new Set(live.map((row) => row.split("@")[0])).size, next);
    await f.close();
  });
});
