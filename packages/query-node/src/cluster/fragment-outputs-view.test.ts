import assert from "node:assert/strict";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDbEngine, quoteSqlIdentifier, quoteSqlLiteral, type EngineSession } from "@miniodb/executor";
import type { FragmentOutput } from "./fragment-dispatch.js";
import { fragmentOutputsView, MAX_VALUES_ROWS } from "./fragment-outputs-view.js";

/** Values at the edges of every type a worker sends inline, and the texts that trip up quoting. */
const SOURCE = `
  SELECT *,
    CASE k WHEN 1 THEN ['a,b', 'c''d', ' e ', 'NULL', NULL, '[x]', 'q"q', '\\', '{a: 1}', '', 'new
line'] WHEN 2 THEN [] WHEN 3 THEN NULL ELSE ['x' || k] END AS lst,
    CASE k WHEN 1 THEN [0.1, 'nan'::DOUBLE, NULL, '-0.0'::DOUBLE, 5e-324, 'inf'::DOUBLE] ELSE [k / 3] END AS dl
  FROM (VALUES
    (1, '-128'::TINYINT, '-9223372036854775808'::BIGINT, 18446744073709551615::UBIGINT,
     170141183460469231731687303715884105727::HUGEINT, 0.1::DOUBLE, 0.1::FLOAT, 123456789012345.678::DECIMAL(18,3),
     true, 'it''s "quoted" \\ and
new line, ünïcødé 𝄞', '{"a": [1, 2.5, "x"]}'::JSON, '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID,
     '2026-11-01'::DATE, '23:59:59.999999'::TIME, '2026-11-01 01:02:03.456789'::TIMESTAMP,
     '2026-11-01 01:02:03.123456789'::TIMESTAMP_NS, '2026-11-01 01:02:03.000001+00'::TIMESTAMPTZ,
     INTERVAL '1 year 2 months 3 days 04:05:06.789'),
    (2, 127::TINYINT, 9223372036854775807::BIGINT, 0::UBIGINT,
     '-170141183460469231731687303715884105728'::HUGEINT, 1/3, 'nan'::FLOAT, '-0.001'::DECIMAL(18,3),
     false, '', 'null'::JSON, NULL,
     'infinity'::DATE, '00:00:00'::TIME, '-infinity'::TIMESTAMP,
     '1970-01-01 00:00:00'::TIMESTAMP_NS, '1900-01-01 00:00:00+00'::TIMESTAMPTZ, INTERVAL '-1 microsecond'),
    (3, NULL, NULL, NULL, NULL, 5e-324, 'inf'::FLOAT, NULL, NULL, 'NULL', NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL),
    (4, 0, 0, 1, 0, '-0.0'::DOUBLE, 3.4028235e38::FLOAT, 0, NULL, '''', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (5, 1, 1, 1, 1, 'nan'::DOUBLE, '-1.5'::FLOAT, 1, NULL, 'a', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (6, 2, 2, 2, 2, '-inf'::DOUBLE, 1e-45::FLOAT, 2, NULL, 'b', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (7, 3, 3, 3, 3, 1.7976931348623157e308, 0, 3, NULL, 'c', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
  ) AS t(k, tiny, big, ubig, huge, dbl, flt, dec, bool, txt, js, uid, d, tm, ts, tsns, tstz, iv)`;

/** More rows, enough to go through a table instead of a VALUES list. */
const MORE = `
  SELECT 100 + i, (i % 100)::TINYINT, i * 1000003, i::UBIGINT, i::HUGEINT * i * i * 1000000000000, i / 7, (i / 3)::FLOAT,
    (i / 8)::DECIMAL(18,3), i % 2 = 0, 'row ' || i, ('{"i": ' || i || '}')::JSON, uuid(), DATE '2026-01-01' + i::INTEGER,
    TIME '00:00:00' + INTERVAL (i) SECOND, TIMESTAMP '2026-11-01' + INTERVAL (i) MICROSECOND,
    TIMESTAMP_NS '2026-11-01' + INTERVAL (i) MICROSECOND, TIMESTAMPTZ '2026-11-01 00:00:00+00' + INTERVAL (i) MINUTE,
    INTERVAL (i) DAY, ['row ' || i, NULL], [i / 7]
  FROM range(${MAX_VALUES_ROWS * 2}) r(i)`;

describe("fragmentOutputsView", () => {
  let directory: string;
  let engine: DuckDbEngine;
  before(async () => {
    directory = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-outputs-view-")));
    engine = await DuckDbEngine.create({ allowedDirectory: directory, threads: 1, connections: 1 });
  });
  after(() => {
    engine.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** The rows of `where` as a worker sends them inline: each column as DuckDB's text. */
  async function inlineOutput(session: EngineSession, where: string): Promise<FragmentOutput> {
    const { rows } = await session.readAll("DESCRIBE source");
    const columns = rows.map((row) => ({
      name: String(row["column_name"]),
      type: String(row["column_type"]),
    }));
    const texts = columns.map((column) => `CAST(${quoteSqlIdentifier(column.name)} AS VARCHAR)`);
    const text: (string | null)[][] = columns.map(() => []);
    for await (const batch of session.streamColumns(`SELECT ${texts.join(", ")} FROM source WHERE ${where}`))
      batch.values.forEach((values, index) => text[index]!.push(...(values as (string | null)[])));
    const $typeName = "miniodb.cluster.v1.ColumnSchema" as const;
    return {
      text,
      columns: columns.map((column) => ({ ...column, $typeName })),
      rowCount: text[0]!.length,
      rowsScanned: 0,
      worker: "w",
    };
  }

  /** Creates the view as the scatter does: the inline table first, if any. */
  async function createView(session: EngineSession, outputs: FragmentOutput[]): Promise<string | undefined> {
    const { statement, inlineTable } = fragmentOutputsView("merged", outputs, "inline_t");
    if (inlineTable) await session.createTextTable(inlineTable.name, inlineTable.columns);
    await session.run(statement);
    return inlineTable?.name;
  }

  for (const { name, source, rows, table } of [
    { name: "in a VALUES list", source: SOURCE, rows: 7, table: undefined },
    {
      name: "in a table",
      source: `${SOURCE} UNION ALL ${MORE}`,
      rows: 7 + MAX_VALUES_ROWS * 2,
      table: "inline_t",
    },
  ])
    it(`gives back exactly the rows sent inline (${name}) and as Parquet, every type at its edges`, async () => {
      await engine.withSession(async (session) => {
        await session.run(`DROP TABLE IF EXISTS inline_t; CREATE OR REPLACE TEMP TABLE source AS ${source}`);
        const path = join(directory, "part.parquet");
        await session.run(
          `COPY (SELECT * FROM source WHERE k BETWEEN 6 AND 99) TO ${quoteSqlLiteral(path)} (FORMAT parquet)`,
        );
        const first = await inlineOutput(session, "k <= 3");
        const second = await inlineOutput(session, "k BETWEEN 4 AND 5 OR k >= 100");
        const parquet = { ...first, text: undefined, path };
        assert.equal(await createView(session, [first, parquet, second]), table);

        const described = await session.readAll("DESCRIBE merged");
        const original = await session.readAll("DESCRIBE source");
        assert.deepEqual(described.rows, original.rows);
        for (const [left, right] of [
          ["source", "merged"],
          ["merged", "source"],
        ]) {
          const { rows } = await session.readAll(
            `SELECT count(*) AS n FROM (SELECT * FROM ${left} EXCEPT ALL SELECT * FROM ${right})`,
          );
          assert.equal(rows[0]!["n"], 0, `rows of ${left} missing from ${right}`);
        }
        // EXCEPT compares -0.0 equal to 0.0 and NaN equal to NaN: compare the bits of the doubles too.
        const bits = await session.readAll(
          "SELECT count(*) AS n FROM source s JOIN merged m USING (k) " +
            "WHERE s.dbl::VARCHAR IS DISTINCT FROM m.dbl::VARCHAR OR s.flt::VARCHAR IS DISTINCT FROM m.flt::VARCHAR " +
            "OR s.dl::VARCHAR IS DISTINCT FROM m.dl::VARCHAR",
        );
        assert.equal(bits.rows[0]!["n"], 0);
        const count = await session.readAll("SELECT count(*) AS n FROM merged");
        assert.equal(count.rows[0]!["n"], rows);
      });
    });

  it("is an empty view of the right columns when every worker sent no rows", async () => {
    await engine.withSession(async (session) => {
      await session.run(`CREATE OR REPLACE TEMP TABLE source AS ${SOURCE}`);
      const empty = await inlineOutput(session, "false");
      assert.equal(await createView(session, [empty, empty]), undefined);
      const described = await session.readAll("DESCRIBE merged");
      const original = await session.readAll("DESCRIBE source");
      assert.deepEqual(described.rows, original.rows);
      const { rows } = await session.readAll("SELECT count(*) AS n FROM merged");
      assert.equal(rows[0]!["n"], 0);
    });
  });

  it("refuses to build a view when no worker answered", () => {
    assert.throws(() => fragmentOutputsView("merged", [], "inline_t"), { code: "unavailable" });
  });
});
