import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  DEFAULT_TABLE_CONFIG,
  MiniodbError,
  normalizeTableConfig,
  type MetadataStore,
  type TableEntry,
} from "@miniodb/core";
import { ParquetFileWriter } from "@miniodb/executor";
import { EmbeddedMetadataStore } from "@miniodb/metadata";
import { LocalObjectStore } from "@miniodb/storage";
import { WriteAheadLog } from "./wal/write-ahead-log.js";
import { Worker } from "./worker.js";

/** A worker over real embedded parts in a temporary directory; `restart` simulates a crash. */
async function fixture(nodeId = "node-1") {
  const dir = mkdtempSync(join(tmpdir(), "miniodb-worker-"));
  mkdirSync(join(dir, "scratch"));
  const metadata = await EmbeddedMetadataStore.create({ path: join(dir, "metadata.db") });
  const objects = await LocalObjectStore.create({ root: join(dir, "objects") });
  const writer = await ParquetFileWriter.create({ workDirectory: join(dir, "scratch") });
  const start = async (store: MetadataStore = metadata) =>
    Worker.start({
      nodeId,
      metadata: store,
      objects,
      writer,
      wal: await WriteAheadLog.open({ directory: join(dir, "wal") }),
      scratchDirectory: join(dir, "scratch"),
      flushCheckIntervalMs: 60_000,
    });
  const table: TableEntry = {
    name: "t",
    config: normalizeTableConfig({ bufferSize: 1_000_000 }),
    createdAt: new Date(1_000),
  };
  await metadata.createTable(table);
  return { metadata, table, start };
}

const rows = (n: number, prefix = "r") =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, payload: { i } }));

describe("Worker", () => {
  it("flushes buffered rows into the manifest and keeps nothing twice across a crash after the flush", async () => {
    const { metadata, table, start } = await fixture();
    const worker = await start();
    assert.equal((await worker.write(table, rows(50))).written, 50);
    const outcome = await worker.flush("t");
    assert.equal(outcome.rows, 50);
    await worker.write(table, rows(5, "late"));
    // No close: the WAL still holds all 55 rows; replay must skip the 50 already committed.
    const restarted = await start();
    assert.equal(restarted.tableStats("t").unflushedRows, 5);
    await restarted.close();
    const manifest = await metadata.getManifest("t");
    assert.equal(
      manifest.files.reduce((sum, file) => sum + file.rowCount, 0),
      55,
    );
  });

  it("captures the buffer as of a manifest version only if no later version holds rows it flushed", async () => {
    const { metadata, table, start } = await fixture();
    const worker = await start();
    assert.deepEqual(worker.bufferedRowsAsOf("unknown", 0), []);
    await worker.write(table, rows(3));
    const before = (await metadata.getManifest("t")).version;
    assert.equal(
      worker.bufferedRowsAsOf("t", before)?.reduce((sum, part) => sum + part.length, 0),
      3,
    );
    await worker.flush("t");
    const after = (await metadata.getManifest("t")).version;
    assert.ok(after > before);
    // A query that read the manifest before the flush would find these rows in neither.
    assert.equal(worker.bufferedRowsAsOf("t", before), undefined);
    await worker.write(table, rows(2, "late"));
    assert.equal(
      worker.bufferedRowsAsOf("t", after)?.reduce((sum, part) => sum + part.length, 0),
      2,
    );
    await worker.close();
  });

  it("creates one buffer when first writes to a table race", async () => {
    const { metadata, table, start } = await fixture();
    const worker = await start();
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => worker.write(table, [{ id: `c${n}`, payload: { [`k${n}`]: n } }])),
    );
    assert.deepEqual(
      results.map((result) => result.written),
      [1, 1, 1, 1],
    );
    assert.equal(worker.tableStats("t").unflushedRows, 4);
    await worker.close();
    assert.equal(
      (await metadata.getManifest("t")).files.reduce((sum, file) => sum + file.rowCount, 0),
      4,
    );
    assert.deepEqual((await metadata.getSchema("t")).columns.map((column) => column.name).sort(), [
      "k1",
      "k2",
      "k3",
      "k4",
    ]);
  });

  it("refuses a payload string that is not valid Unicode before acknowledging it", async () => {
    const { table, start } = await fixture();
    const worker = await start();
    await assert.rejects(worker.write(table, [{ id: "x", payload: { s: "\ud800" } }]), (error: unknown) =>
      MiniodbError.is(error, "invalid_argument"),
    );
    const partial = await worker.write(
      table,
      [
        { id: "ok", payload: { s: "fine \\ud800 text" } },
        { id: "bad", payload: { s: "a\udfffb" } },
      ],
      {
        partial: true,
      },
    );
    assert.equal(partial.written, 1);
    assert.equal(partial.errors[0]?.index, 1);
    await worker.close();
  });

  it("drops the rows of a table deleted while a write slipped in, instead of pinning the WAL", async () => {
    const { metadata, table, start } = await fixture();
    const worker = await start();
    await worker.write(table, rows(3));
    await worker.dropTable("t");
    await worker.write(table, rows(2, "slipped"));
    await metadata.deleteTable("t");
    assert.deepEqual(await worker.flush("t"), { rows: 0, files: [] });
    assert.equal(worker.tableStats("t").unflushedRows, 0);
    await worker.close();
  });

  it("answers a keyed retry with the first result even when storing the key failed", async () => {
    const { metadata, table, start } = await fixture();
    let failures = 1;
    // Fault injection: the first putIdempotency fails, everything else reaches the real store.
    const flaky = new Proxy(metadata, {
      get(target, property) {
        if (property === "putIdempotency") {
          return async (...args: Parameters<MetadataStore["putIdempotency"]>) => {
            if (failures-- > 0) throw new MiniodbError("unavailable", "injected");
            return target.putIdempotency(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const worker = await start(flaky);
    const first = await worker.write(table, [{ payload: { n: 1 } }], { idempotencyKey: "k" });
    const retry = await worker.write(table, [{ payload: { n: 1 } }], { idempotencyKey: "k" });
    assert.deepEqual(retry.ids, first.ids);
    assert.equal(worker.tableStats("t").unflushedRows, 1);
    assert.ok(await metadata.getIdempotency("k", new Date()), "the key is stored on the retry");
    await worker.close();
  });

  it("uses the table defaults for records without ids", async () => {
    const { metadata, start } = await fixture();
    const table: TableEntry = {
      name: "ids",
      config: { ...DEFAULT_TABLE_CONFIG, idStrategy: "snowflake", idPrefix: "e_" },
      createdAt: new Date(5),
    };
    await metadata.createTable(table);
    const worker = await start();
    const result = await worker.write(table, [{ payload: {} }, { payload: {} }]);
    assert.match(result.ids[0]!, /^e_\d+$/);
    assert.notEqual(result.ids[0], result.ids[1]);
    await worker.close();
  });

  it("drops a deleted table's rows for good, also when it restarts before flushing", async () => {
    const { metadata, table, start } = await fixture();
    const worker = await start();
    await worker.write(table, rows(4));
    await worker.dropTable("t");
    await metadata.deleteTable("t");
    // No close: the WAL still holds the rows, followed by the drop marker.
    const restarted = await start();
    assert.equal(restarted.tableStats("t").unflushedRows, 0);
    assert.deepEqual(restarted.parkedTables(), []);
    await restarted.close();
  });

  it("keeps the rows of a table the metadata store lost, across a restart, and flushes them once it is restored", async () => {
    const { metadata, table, start } = await fixture();
    const worker = await start();
    await worker.write(table, rows(3, "before"));
    await worker.flush("t");
    const backup = await metadata.getManifest("t");
    await worker.write(table, rows(5, "after"), {});
    await worker.write(table, [{ id: "wide", payload: { added: "a column the backup lacks" } }]);
    // The store loses the table (a wiped Redis), not a DeleteTable through the worker.
    await metadata.deleteTable("t");
    await assert.rejects(worker.flush("t"), (error: unknown) =>
      MiniodbError.is(error, "failed_precondition"),
    );
    assert.deepEqual(
      worker.parkedTables().map(({ table: name, rows: count }) => [name, count]),
      [["t", 6]],
    );
    // A crash while the table is missing: replay parks the logged rows again.
    const restarted = await start();
    assert.equal(restarted.parkedTables()[0]?.rows, 6 + 3, "replay also meets the flushed rows");
    await assert.rejects(restarted.flush("t"), (error: unknown) =>
      MiniodbError.is(error, "failed_precondition"),
    );
    // The restore brings the table back with its manifest as of the backup.
    await metadata.createTable(table);
    await metadata.commitManifest("t", { add: backup.files });
    const outcome = await restarted.flush("t");
    assert.equal(outcome.rows, 6, "the rows the restored manifest holds are not written twice");
    assert.deepEqual(restarted.parkedTables(), []);
    const manifest = await metadata.getManifest("t");
    assert.equal(
      manifest.files.reduce((sum, file) => sum + file.rowCount, 0),
      9,
    );
    assert.ok((await metadata.getSchema("t")).columns.some((column) => column.name === "added"));
    await restarted.close();
  });
});
