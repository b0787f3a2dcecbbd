import assert from "node:assert/strict";
import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDbEngine, quoteSqlLiteral, type EngineSession } from "@miniodb/executor";
import {
  collectFragmentResult,
  INLINE_MAX_BYTES,
  textExact,
  type FragmentResult,
} from "./fragment-result.js";

describe("collectFragmentResult", () => {
  let directory: string;
  let engine: DuckDbEngine;
  let files = 0;
  before(async () => {
    directory = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-fragment-result-")));
    engine = await DuckDbEngine.create({ allowedDirectory: directory, threads: 1, connections: 1 });
  });
  after(() => {
    engine.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Collects `statement` (columns as DESCRIBE gives them) with the given inline limit. */
  async function collect(
    statement: string,
    inlineMaxCells: number,
    expectedRows = 0,
  ): Promise<FragmentResult> {
    return engine.withSession(async (session) => {
      await session.run("DROP TABLE IF EXISTS __miniodb_fragment_result");
      const columns = await describe(session, statement);
      const path = join(directory, `r${files++}.parquet`);
      const result = await collectFragmentResult(session, { statement, columns }, async () => path, {
        inlineMaxCells,
        expectedRows,
      });
      if (result.kind === "parquet") {
        const { rows } = await session.readAll("SELECT count(*) AS n FROM duckdb_tables() WHERE temporary");
        assert.equal(rows[0]!["n"], 0, "a result sent as Parquet leaves no table behind");
      }
      return result;
    });
  }

  async function describe(session: EngineSession, statement: string) {
    const { rows } = await session.readAll(`DESCRIBE ${statement}`);
    return rows.map((row) => ({ name: String(row["column_name"]), type: String(row["column_type"]) }));
  }

  async function parquetRows(path: string) {
    return engine.query(`SELECT * FROM read_parquet(${quoteSqlLiteral(path)}) ORDER BY ALL`);
  }

  it("sends a small result inline as DuckDB's text of each value, by column", async () => {
    const result = await collect(
      "SELECT i AS n, i / 4 AS q, 'v' || i AS s, CASE WHEN i = 2 THEN NULL ELSE TIMESTAMPTZ '2026-11-01 00:00:00+00' END AS t " +
        "FROM range(3) r(i) ORDER BY i",
      12,
    );
    assert.deepEqual(result, {
      kind: "text",
      rowCount: 3,
      columns: [
        ["0", "1", "2"],
        ["0.0", "0.25", "0.5"],
        ["v0", "v1", "v2"],
        ["2026-11-01 00:00:00+00", "2026-11-01 00:00:00+00", null],
      ],
    });
  });

  it("writes Parquet once the result has more cells than the limit, HUGEINT as text", async () => {
    const result = await collect(
      "SELECT i AS n, i::HUGEINT * 1000000000000000000000 AS h FROM range(7) r(i)",
      12,
    );
    assert.equal(result.kind, "parquet");
    assert.equal(result.rowCount, 7);
    const rows = await parquetRows((result as { path: string }).path);
    assert.equal(rows.length, 7);
    assert.deepEqual(rows[6], { n: 6, h: "6000000000000000000000" });
  });

  it("sends a result of exactly the limit inline", async () => {
    const result = await collect("SELECT i AS n, i * 2 AS m FROM range(6) r(i) ORDER BY i", 12);
    assert.equal(result.kind, "text");
    assert.equal(result.rowCount, 6);
  });

  it("reads a result expected to fit directly, and runs one that does not fit after all into Parquet", async () => {
    assert.deepEqual(await collect("SELECT i AS n FROM range(3) r(i) ORDER BY i", 12, 3), {
      kind: "text",
      rowCount: 3,
      columns: [["0", "1", "2"]],
    });
    const larger = await collect("SELECT i AS n FROM range(20) r(i)", 12, 3);
    assert.equal(larger.kind, "parquet");
    assert.equal((await parquetRows((larger as { path: string }).path)).length, 20);
    const expectedLarge = await collect("SELECT i AS n FROM range(2) r(i)", 12, 13);
    assert.equal(expectedLarge.kind, "parquet");
  });

  it("reads a result the query node bounds directly, and still refuses NUL characters inline", async () => {
    assert.deepEqual(await collect("SELECT count(*) AS n, sum(i) AS s FROM range(5) r(i)", 12, 1), {
      kind: "text",
      rowCount: 1,
      columns: [["5"], ["10"]],
    });
    const nul = await collect("SELECT 'a' || chr(0) AS s", 12, 1);
    assert.equal(nul.kind, "parquet");
    assert.deepEqual(await parquetRows((nul as { path: string }).path), [{ s: "a\u0000" }]);
  });

  it("writes Parquet for nested types, for text holding a NUL character, and when inlining is off", async () => {
    const nested = await collect("SELECT {'a': 1} AS s", 100);
    assert.equal(nested.kind, "parquet");
    const nul = await collect("SELECT 'a' || chr(0) || 'b' AS s", 100);
    assert.equal(nul.kind, "parquet");
    assert.deepEqual(await parquetRows((nul as { path: string }).path), [{ s: "a\u0000b" }]);
    const off = await collect("SELECT 1 AS n", 0);
    assert.equal(off.kind, "parquet");
    assert.ok(existsSync((off as { path: string }).path));
  });

  it("writes Parquet for a list of JSON values, which its text cannot carry (a NULL item prints as bare NULL)", async () => {
    const result = await collect(
      `SELECT list(DISTINCT j) AS js FROM (VALUES ('{"a":1}'::JSON), (NULL::JSON), ('{"b":[1,2]}'::JSON)) v(j)`,
      100,
    );
    assert.equal(result.kind, "parquet");
    const [row] = await parquetRows((result as { path: string }).path);
    assert.equal((row!["js"] as unknown[]).length, 3);
  });

  it("writes Parquet for a result whose text would make too large a message", async () => {
    const statement = `SELECT i AS n, repeat('x', ${Math.ceil(INLINE_MAX_BYTES / 3 / 4)}) AS s FROM range(5) r(i)`;
    const large = await collect(statement, 100);
    assert.equal(large.kind, "parquet");
    assert.equal(large.rowCount, 5);
    const expected = await collect(statement, 100, 5);
    assert.equal(expected.kind, "parquet", "also when the query node expects it to fit");
    const small = await collect(`SELECT i AS n, repeat('x', 1000) AS s FROM range(5) r(i)`, 100);
    assert.equal(small.kind, "text");
  });

  it("sends an empty result inline", async () => {
    assert.deepEqual(await collect("SELECT 1 AS n WHERE false", 10), {
      kind: "text",
      rowCount: 0,
      columns: [[]],
    });
  });

  it("takes only types that read back exactly from their text", () => {
    for (const type of [
      "BIGINT",
      "UBIGINT",
      "HUGEINT",
      "INTEGER",
      "DOUBLE",
      "FLOAT",
      "DECIMAL(18,3)",
      "VARCHAR",
      "TIMESTAMP WITH TIME ZONE",
      "TIMESTAMP_NS",
      "DATE",
      "INTERVAL",
      "VARCHAR[]",
      "DOUBLE[]",
    ])
      assert.ok(textExact([{ name: "c", type }]), type);
    for (const type of [
      "VARCHAR[][]",
      "STRUCT(a INTEGER)",
      "BLOB",
      "MAP(VARCHAR, INTEGER)",
      "BIGINT[3]",
      "BIT",
      "JSON",
      "JSON[]",
    ])
      assert.ok(!textExact([{ name: "c", type }]), type);
  });
});
