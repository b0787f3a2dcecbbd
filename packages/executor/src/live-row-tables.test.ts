import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DataFile, ObjectStore, Tombstone } from "@miniodb/core";
import { DuckDbEngine } from "./duckdb-engine.js";
import { LiveRowTables, type LiveRowsRequest } from "./live-row-tables.js";
import { ObjectFileCache } from "./object-file-cache.js";
import { TombstoneIndex } from "./tombstone-index.js";
import { makeWorkDirectory, queryDuckDb } from "./test-support/parquet-fixtures.js";

/**
 * Three data files of ids f<file>-<n>, every row at sequence 10 × file + 1, in an object store
 * that serves them from disk; a real sandboxed engine with its attached database.
 */
describe("LiveRowTables", () => {
  const work = makeWorkDirectory();
  const sources = join(work, "sources");
  const cacheDirectory = join(work, "cache");
  mkdirSync(sources);
  mkdirSync(cacheDirectory);
  const files: DataFile[] = [];
  let engine: DuckDbEngine;
  let cache: ObjectFileCache;

  before(async () => {
    for (const index of [0, 1, 2]) {
      const path = join(sources, `f${index}.parquet`);
      await queryDuckDb(
        `COPY (SELECT 'f${index}-' || range AS id, TIMESTAMP '2026-01-01' AS timestamp, ` +
          `${10 * index + 1}::UBIGINT AS __miniodb_seq, range AS n FROM range(100)) TO '${path}' (FORMAT parquet)`,
      );
      files.push(dataFile(`f${index}`, readFileSync(path).length, index));
    }
    const objects = {
      get: async (key: string) => readFileSync(join(sources, `${key}.parquet`)),
    } as Partial<ObjectStore> as ObjectStore;
    cache = await ObjectFileCache.create({
      directory: join(cacheDirectory, "objects"),
      objects,
      maxBytes: 1 << 30,
    });
    engine = await DuckDbEngine.create({
      allowedDirectory: cacheDirectory,
      attach: { path: join(cacheDirectory, "live.duckdb"), alias: "live" },
      connections: 2,
    });
  });
  after(() => engine.close());

  const tables = (options: { maxBytes?: number } = {}) =>
    new LiveRowTables({
      engine,
      cache,
      database: "live",
      maxBytes: options.maxBytes ?? 1 << 30,
      rebuildPauseRatio: 0,
    });
  const request = (tombstones: Tombstone[], readAt: number, subset = files): LiveRowsRequest => ({
    table: "events",
    schemaVersion: 1,
    files: subset,
    manifestKeys: new Set(files.map((file) => file.key)),
    hidden: new TombstoneIndex(tombstones).hidden(),
    tombstonesReadAt: readAt,
  });
  const ids = async (relation: string) =>
    (await engine.query(`SELECT id FROM ${relation} ORDER BY id`)).map((row) => String(row["id"]));
  const allIds = (except: readonly string[]) =>
    [0, 1, 2]
      .flatMap((file) => Array.from({ length: 100 }, (_, n) => `f${file}-${n}`))
      .filter((id) => !except.includes(id))
      .sort();

  it("builds a table of the live rows in the background, then serves it while the tombstones are the same", async () => {
    const live = tables();
    const hidden = [tombstone("f0-1", 5n), tombstone("f1-2", 15n), tombstone("f2-3", 5n)];
    assert.equal(live.use(request(hidden, 1)), undefined, "the first query takes the tombstone join");
    await live.settled();
    const lease = live.use(request(hidden, 2));
    assert.ok(lease);
    // f2-3's row has sequence 21, above its tombstone's 5: it stays.
    assert.deepEqual(await ids(lease.relation), allIds(["f0-1", "f1-2"]));
    lease.release();
    assert.deepEqual(live.stats(), { tables: 1, bytes: sumBytes(files), builds: 1, failures: 0, reads: 1 });
    await live.close();
  });

  it("reads only the query's files of the table, by their file number", async () => {
    const live = tables();
    live.use(request([tombstone("f1-0", 50n)], 1));
    await live.settled();
    const lease = live.use(request([tombstone("f1-0", 50n)], 2, [files[1]!]));
    assert.ok(lease);
    assert.deepEqual(
      await ids(lease.relation),
      allIds(["f1-0"]).filter((id) => id.startsWith("f1-")),
    );
    lease.release();
    await live.close();
  });

  it("rebuilds for newer tombstones and for a newer picture that hides less, never for an older one", async () => {
    const live = tables();
    live.use(request([tombstone("f0-0", 50n)], 1));
    await live.settled();
    const more = [tombstone("f0-0", 50n), tombstone("f0-9", 50n)];
    assert.equal(
      live.use(request(more, 2)),
      undefined,
      "a table hiding less than the query's tombstones is not used",
    );
    await live.settled();
    assert.equal(live.stats().builds, 2);
    // A query that read its tombstones before the table's were read raced a newer one.
    assert.equal(live.use(request([tombstone("f0-0", 50n)], 1.5)), undefined);
    await live.settled();
    assert.equal(live.stats().builds, 2);
    // Read after the table's: a tombstone is gone (a restore): rebuilt without it.
    assert.equal(live.use(request([tombstone("f0-9", 50n)], 3)), undefined);
    await live.settled();
    assert.equal(live.stats().builds, 3);
    const lease = live.use(request([tombstone("f0-9", 50n)], 4));
    assert.ok(lease);
    assert.deepEqual(await ids(lease.relation), allIds(["f0-9"]));
    lease.release();
    await live.close();
  });

  it("compares what the tombstones hide, by the highest sequence of each id", async () => {
    const live = tables();
    live.use(request([tombstone("f0-0", 50n), tombstone("f0-0", 2n)], 1));
    await live.settled();
    const lease = live.use(request([tombstone("f0-0", 50n)], 2));
    assert.ok(lease, "a lower tombstone of the same id hides nothing more");
    lease.release();
    assert.equal(live.use(request([tombstone("f0-0", 60n)], 3)), undefined, "a higher one may");
    await live.close();
  });

  it("keeps serving a table that still matches while a newer one is built, and drops it after its last reader", async () => {
    const live = tables();
    const old = [tombstone("f0-0", 50n)];
    live.use(request(old, 1));
    await live.settled();
    const reading = live.use(request(old, 2));
    assert.ok(reading);
    const newer = [tombstone("f0-0", 50n), tombstone("f0-1", 50n)];
    assert.equal(live.use(request(newer, 3)), undefined);
    const alsoOld = live.use(request(old, 2.5));
    assert.ok(alsoOld, "a query with the old tombstones still reads the old table");
    alsoOld.release();
    await live.settled();
    assert.equal(live.stats().builds, 2);
    assert.deepEqual(await ids(reading.relation), allIds(["f0-0"]), "the reader's table is unchanged");
    const current = live.use(request(newer, 4));
    assert.ok(current);
    assert.notEqual(current.relation, reading.relation);
    assert.deepEqual(await ids(current.relation), allIds(["f0-0", "f0-1"]));
    current.release();
    reading.release();
    await live.settled();
    await assert.rejects(ids(reading.relation), "the replaced table is dropped");
    await live.close();
  });

  it("numbers the files itself, whatever the payload columns are called", async () => {
    const shadowing: DataFile[] = [];
    for (const index of [0, 1]) {
      const path = join(sources, `shadow${index}.parquet`);
      await queryDuckDb(
        `COPY (SELECT 's${index}-' || range AS id, TIMESTAMP '2026-01-01' AS timestamp, 1::UBIGINT AS __miniodb_seq, ` +
          `7 AS file_index, 'x' AS filename FROM range(10)) TO '${path}' (FORMAT parquet)`,
      );
      shadowing.push({
        ...dataFile(`shadow${index}`, readFileSync(path).length, 0),
        minId: `s${index}-0`,
        maxId: `s${index}-9`,
      });
    }
    const live = tables();
    const shadowRequest = (readAt: number, subset: DataFile[]): LiveRowsRequest => ({
      ...request([tombstone("s1-3", 5n)], readAt, subset),
      schemaVersion: 2,
      manifestKeys: new Set(shadowing.map((file) => file.key)),
    });
    live.use(shadowRequest(1, shadowing));
    await live.settled();
    const lease = live.use(shadowRequest(2, [shadowing[1]!]));
    assert.ok(lease);
    assert.deepEqual(
      await ids(lease.relation),
      Array.from({ length: 10 }, (_, n) => `s1-${n}`)
        .filter((id) => id !== "s1-3")
        .sort(),
    );
    lease.release();
    await live.close();
  });

  it("builds nothing for files larger than its budget", async () => {
    const live = tables({ maxBytes: sumBytes(files) - 1 });
    live.use(request([tombstone("f0-0", 50n)], 1));
    await live.settled();
    assert.equal(live.use(request([tombstone("f0-0", 50n)], 2)), undefined);
    assert.equal(live.stats().builds, 0);
    await live.close();
  });

  it("keeps a table that still matches when a query's files would not fit beside it", async () => {
    const live = tables({ maxBytes: sumBytes(files.slice(0, 2)) + 1 });
    const hidden = [tombstone("f0-0", 50n)];
    live.use(request(hidden, 1, files.slice(0, 2)));
    await live.settled();
    assert.equal(live.use(request(hidden, 2, [files[2]!])), undefined, "f2 takes the join");
    await live.settled();
    assert.equal(live.stats().builds, 1, "no table of f2 alone replaces the one of f0 and f1");
    const lease = live.use(request(hidden, 3, [files[0]!]));
    assert.ok(lease);
    lease.release();
    await live.close();
  });

  it("tells of a failed build and tries again only after the retry delay", async () => {
    const errors: unknown[] = [];
    const missing = { ...dataFile("absent", 10, 3) };
    const live = new LiveRowTables({
      engine,
      cache,
      database: "live",
      maxBytes: 1 << 30,
      retryMs: 60_000,
      onError: (error) => errors.push(error),
    });
    const failing = { ...request([tombstone("f0-0", 50n)], 1), files: [missing] };
    // The retry would be built 60 s later: close() does not wait for it.
    live.use(failing);
    await live.settled();
    assert.equal(errors.length, 1);
    live.use({ ...failing, tombstonesReadAt: 2 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(live.stats(), { tables: 0, bytes: 0, builds: 0, failures: 1, reads: 0 });
    assert.equal(errors.length, 1, "the retry waits for its delay");
    await live.close();
  });
});

function tombstone(id: string, sequence: bigint): Tombstone {
  return { id, sequence, soft: false, createdAt: new Date(0) };
}

function dataFile(name: string, sizeBytes: number, index: number): DataFile {
  return {
    key: name,
    partition: "2026-01-01",
    etag: "e",
    sizeBytes,
    rowCount: 100,
    minTimestamp: 0,
    maxTimestamp: 0,
    minId: `f${index}-0`,
    maxId: `f${index}-99`,
    schemaVersion: 1,
    minSequence: BigInt(10 * index + 1),
    maxSequence: BigInt(10 * index + 1),
    nodeId: "n",
    createdAt: new Date(0),
  };
}

function sumBytes(list: readonly DataFile[]): number {
  return list.reduce((total, file) => total + file.sizeBytes, 0);
}
