import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { readParquetBatches, readParquetRows } from "./read-parquet-rows.js";
import { quoteLiteral } from "./sql-quote.js";
import { makeWorkDirectory } from "./test-support/parquet-fixtures.js";

describe("readParquetBatches", () => {
  it("reads a file in order in bounded batches, with the same rows as readParquetRows", async () => {
    const path = join(makeWorkDirectory(), "rows.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT i AS n, 'row ' || i AS s FROM range(10000) t(i) ORDER BY i) TO ${quoteLiteral(path)} (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    const batches: number[] = [];
    const rows = [];
    for await (const batch of readParquetBatches(path, 3000)) {
      batches.push(batch.length);
      rows.push(...batch);
    }
    assert.ok(batches.length >= 3, `batches ${batches.join(",")}`);
    assert.ok(batches.every((size) => size <= 3000 + 2048));
    assert.deepEqual(rows, await readParquetRows(path));
    assert.equal(rows[9999]?.["s"], "row 9999");
  });
});
