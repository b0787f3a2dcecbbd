import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ColumnDef } from "@miniodb/core";
import { ParquetFileWriter } from "./parquet-file-writer.js";
import { quoteLiteral } from "./sql-quote.js";
import { makeWorkDirectory, queryDuckDb } from "./test-support/parquet-fixtures.js";

const ROWS = 1_000_000;
const T0 = 1_764_151_200_000_000n;
const SEQ0 = 2n ** 62n;

const columns: ColumnDef[] = [
  { name: "age", type: "BIGINT" },
  { name: "score", type: "DOUBLE" },
  { name: "name", type: "VARCHAR" },
  { name: "ok", type: "BOOLEAN" },
  { name: "tags", type: "JSON" },
  { name: "city", type: "VARCHAR" },
  { name: "attrs", type: "JSON" },
  { name: "note", type: "VARCHAR" },
];

/**
 * One million NDJSON lines in the worker's row shape, written by DuckDB (fast, off the JS thread).
 * Ids are a permutation of user-0 … user-999999 in scrambled order; `score` mixes integers and
 * fractions, `note` mixes strings and numbers (a widened column), `age` is missing on some rows.
 */
async function generateInput(path: string): Promise<void> {
  await queryDuckDb(
    `COPY (SELECT 'user-' || ((range * 7919) % ${ROWS}) AS id, ${T0} + range AS timestamp, ` +
      `CAST(${SEQ0} + range AS VARCHAR) AS __miniodb_seq, ` +
      `CASE WHEN range % 10 = 0 THEN NULL ELSE range % 90 END AS age, ` +
      `CASE WHEN range % 2 = 0 THEN CAST(range AS JSON) ELSE CAST(range / 8 AS JSON) END AS score, ` +
      `'name-' || (range % 1000) AS name, range % 3 = 0 AS ok, ` +
      `CAST('["a","b' || (range % 5) || '"]' AS JSON) AS tags, 'city-' || (range % 50) AS city, ` +
      `json_object('k', range % 7, 'nested', json_object('x', range % 2 = 0)) AS attrs, ` +
      `CASE WHEN range % 4 = 0 THEN CAST(range AS JSON) ELSE to_json('note ' || range) END AS note ` +
      `FROM range(${ROWS})) TO ${quoteLiteral(path)} (FORMAT json)`,
  );
}

describe("ParquetFileWriter with one million rows", () => {
  let work: string;
  let writer: ParquetFileWriter;
  let inputPath: string;
  before(async () => {
    work = makeWorkDirectory();
    inputPath = join(work, "million.ndjson");
    await generateInput(inputPath);
    writer = await ParquetFileWriter.create({ workDirectory: work });
  });
  after(() => writer?.close());

  it("writes 1M rows × 11 columns sorted, with exact stats (the time is printed, not asserted)", async () => {
    const outputPath = join(work, "million.parquet");
    const started = performance.now();
    const stats = await writer.write({ inputPath, columns, outputPath });
    const elapsed = performance.now() - started;
    console.log(
      `ParquetFileWriter: ${ROWS} rows × 11 columns in ${elapsed.toFixed(0)} ms (${stats.sizeBytes} bytes)`,
    );

    assert.deepEqual(stats, {
      rowCount: ROWS,
      sizeBytes: stats.sizeBytes,
      minTimestamp: Number(T0),
      maxTimestamp: Number(T0) + ROWS - 1,
      minId: "user-0",
      maxId: "user-999999",
      minSequence: SEQ0,
      maxSequence: SEQ0 + BigInt(ROWS - 1),
    });
    assert.ok(stats.sizeBytes > 0);

    const file = quoteLiteral(outputPath);
    const [order] = await queryDuckDb(
      `SELECT count(*) AS unordered FROM (SELECT id, lag(id) OVER (ORDER BY file_row_number) AS previous ` +
        `FROM read_parquet(${file}, file_row_number = true)) WHERE previous >= id`,
    );
    assert.equal(order?.["unordered"], 0n);

    const groups = await queryDuckDb(
      `SELECT row_group_id, compression, stats_min_value AS min_id, stats_max_value AS max_id ` +
        `FROM parquet_metadata(${file}) WHERE path_in_schema = 'id' ORDER BY row_group_id`,
    );
    assert.ok(groups.length > 1, "several row groups");
    for (const [index, group] of groups.entries()) {
      assert.equal(group["compression"], "ZSTD");
      if (index > 0) assert.ok(String(group["min_id"]) > String(groups[index - 1]!["max_id"]));
    }
  });

  it("converted every value of a sampled row", async () => {
    // range = 4 → id user-31676, the fifth line of the input.
    const [row] = await queryDuckDb(
      `SELECT epoch_us(timestamp) AS ts, __miniodb_seq::VARCHAR AS seq, age, score, name, ok, tags::VARCHAR AS tags, ` +
        `city, attrs::VARCHAR AS attrs, note FROM read_parquet(${quoteLiteral(join(work, "million.parquet"))}) ` +
        `WHERE id = 'user-31676'`,
    );
    assert.deepEqual(row, {
      ts: T0 + 4n,
      seq: (SEQ0 + 4n).toString(),
      age: 4n,
      score: 4,
      name: "name-4",
      ok: false,
      tags: '["a","b4"]',
      city: "city-4",
      attrs: '{"k":4,"nested":{"x":true}}',
      note: "4",
    });
  });
});
