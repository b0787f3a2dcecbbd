import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { MiniodbError } from "@miniodb/core";
import { DuckDbEngine } from "./duckdb-engine.js";

/** Writes a Parquet file with an unsandboxed DuckDB, as the flush path will. */
async function writeParquet(path: string, rows: number): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(
    `COPY (SELECT range AS id, range % 7 AS bucket FROM range(${rows})) TO '${path}' (FORMAT parquet)`,
  );
  connection.closeSync();
  instance.closeSync();
}

describe("DuckDbEngine sandbox", () => {
  let engine: DuckDbEngine;
  let cache: string;
  let outside: string;
  before(async () => {
    cache = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-cache-")));
    outside = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-outside-")));
    await writeParquet(join(cache, "inside.parquet"), 1000);
    await writeParquet(join(outside, "outside.parquet"), 10);
    writeFileSync(join(outside, "secret.csv"), "a,b\n1,2\n");
    engine = await DuckDbEngine.create({ allowedDirectory: cache, memoryLimit: "256MB", threads: 1 });
  });
  after(() => engine?.close());

  it("runs every query slot in UTC with the Parquet metadata cache on", async () => {
    // Settings that can be per connection must reach the query slots, not only the connection
    // that configured the instance (a plain SET there left the slots in the host's zone).
    const leases = await Promise.all([1, 2, 3, 4].map(() => engine.lease()));
    try {
      for (const { session } of leases) {
        const { rows } = await session.readAll(
          "SELECT current_setting('TimeZone') AS zone, current_setting('parquet_metadata_cache') AS cached, " +
            "strftime(CAST(TIMESTAMPTZ '2024-01-01 00:30:00+00' AS TIMESTAMP), '%H:%M') AS wall",
        );
        assert.deepEqual(rows, [{ zone: "UTC", cached: true, wall: "00:30" }]);
      }
    } finally {
      for (const lease of leases) lease.release();
    }
  });

  it("reads Parquet files inside the allowed directory", async () => {
    const rows = await engine.query(
      `SELECT COUNT(*) AS n, SUM(bucket) AS s FROM read_parquet('${join(cache, "inside.parquet")}')`,
    );
    assert.deepEqual(rows, [{ n: 1000, s: 2997 }]);
  });

  const blocked: Array<[string, () => string]> = [
    ["read_csv of a system file", () => "SELECT * FROM read_csv('/etc/passwd')"],
    ["read_text of a system file", () => "SELECT * FROM read_text('/etc/passwd')"],
    [
      "read_parquet outside the cache",
      () => `SELECT * FROM read_parquet('${join(outside, "outside.parquet")}')`,
    ],
    ["read_csv outside the cache", () => `SELECT * FROM read_csv('${join(outside, "secret.csv")}')`],
    ["glob of the file system", () => "SELECT * FROM glob('/etc/*')"],
    ["COPY ... TO a file", () => `COPY (SELECT 1) TO '${join(outside, "leak.csv")}'`],
    ["ATTACH a database", () => `ATTACH '${join(outside, "x.db")}' AS x`],
    ["re-enabling external access", () => "SET enable_external_access = true"],
    ["widening the allowed directories", () => "SET allowed_directories = ['/']"],
    ["INSTALL an extension", () => "INSTALL httpfs"],
    ["LOAD an extension", () => "LOAD httpfs"],
  ];
  for (const [name, sql] of blocked) {
    it(`blocks ${name}`, async () => {
      await assert.rejects(engine.query(sql()), (error: unknown) => error instanceof MiniodbError);
    });
  }

  it("wrote nothing while blocking", () => {
    assert.ok(!existsSync(join(outside, "leak.csv")));
    assert.ok(!existsSync(join(outside, "x.db")));
  });

  it("reports SQL errors as invalid_argument", async () => {
    await assert.rejects(engine.query("SELEC 1"), (error: unknown) =>
      MiniodbError.is(error, "invalid_argument"),
    );
    await assert.rejects(engine.query("SELECT * FROM no_such_table"), (error: unknown) =>
      MiniodbError.is(error, "invalid_argument"),
    );
  });

  it("interrupts a query that runs past its timeout and stays usable", async () => {
    const started = Date.now();
    await assert.rejects(
      engine.query("SELECT COUNT(*) FROM range(100000000000) a", { timeoutMs: 200 }),
      (error: unknown) => MiniodbError.is(error, "deadline_exceeded"),
    );
    assert.ok(Date.now() - started < 5_000);
    assert.deepEqual(await engine.query("SELECT 1 AS one"), [{ one: 1 }]);
  });
});

describe("DuckDbEngine results", () => {
  let engine: DuckDbEngine;
  let cache: string;
  before(async () => {
    cache = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-cache-")));
    engine = await DuckDbEngine.create({ allowedDirectory: cache, threads: 1, connections: 2 });
  });
  after(() => engine?.close());

  it("gives JSON values: safe integers as numbers, others as strings, RFC 3339 timestamps", async () => {
    const rows = await engine.query(
      "SELECT 5::BIGINT AS small, 9007199254740993::BIGINT AS big, 1.25::DECIMAL(10,2) AS dec, " +
        "TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tz, " +
        `DATE '2024-01-02' AS day, '{"x":[1,true]}'::JSON AS doc, NULL::BIGINT AS nothing, 1 AS a, 2 AS a`,
    );
    assert.deepEqual(rows, [
      {
        small: 5,
        big: "9007199254740993",
        dec: 1.25,
        ts: "2024-01-02T03:04:05.123456Z",
        tz: "2024-01-02T03:04:05Z",
        day: "2024-01-02",
        doc: { x: [1, true] },
        nothing: null,
        a: 1,
        "a:1": 2,
      },
    ]);
  });

  it("writes TIMESTAMPTZ values in UTC on a host in another zone, nested ones too", () => {
    const script =
      'import { DuckDbEngine } from "@miniodb/executor";' +
      "const engine = await DuckDbEngine.create({ allowedDirectory: process.argv[1], threads: 1 });" +
      "const rows = await engine.query(\"SELECT TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tz, " +
      "[TIMESTAMPTZ '2024-01-02 03:04:05+00'] AS list, current_setting('TimeZone') AS zone\");" +
      "engine.close(); process.stdout.write(JSON.stringify({ rows, offset: new Date(0).getTimezoneOffset() }));";
    const output = execFileSync(
      process.execPath,
      ["--import", "tsx", "--conditions=@miniodb/source", "--input-type=module", "-e", script, cache],
      { env: { ...process.env, TZ: "Asia/Tokyo" }, encoding: "utf8" },
    );
    const { rows, offset } = JSON.parse(output) as { rows: unknown; offset: number };
    assert.equal(offset, -540, "the child runs nine hours east of UTC");
    assert.deepEqual(rows, [{ tz: "2024-01-02T03:04:05Z", list: ["2024-01-02 03:04:05+00"], zone: "UTC" }]);
  });

  it("keeps a column called __proto__ as a key", async () => {
    const [row] = await engine.query(`SELECT 1 AS "__proto__", 2 AS b`);
    assert.equal(JSON.stringify(row), '{"__proto__":1,"b":2}');
  });

  it("streams a large result chunk by chunk", async () => {
    const counted = await engine.withSession(async (session) => {
      let rows = 0;
      let batches = 0;
      for await (const batch of session.stream("SELECT range AS x FROM range(100000)")) {
        rows += batch.rows.length;
        batches++;
      }
      return { rows, batches };
    });
    assert.equal(counted.rows, 100_000);
    assert.ok(counted.batches >= 40, `batches: ${counted.batches}`);
  });

  it("keeps each session's temporary views to itself", async () => {
    await Promise.all(
      [1, 2, 3].map((value) =>
        engine.withSession(async (session) => {
          await session.run(`CREATE OR REPLACE TEMP VIEW t AS SELECT ${value} AS v`);
          await new Promise((resolve) => setTimeout(resolve, 20));
          const { rows } = await session.readAll("SELECT v FROM t");
          assert.deepEqual(rows, [{ v: value }]);
          await session.run("DROP VIEW t");
        }),
      ),
    );
  });
});
