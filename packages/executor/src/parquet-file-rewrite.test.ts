import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ColumnDef } from "@miniodb/core";
import { ParquetFileWriter } from "./parquet-file-writer.js";
import { readParquetRows } from "./read-parquet-rows.js";
import { tombstoneLine } from "./table-view-statement.js";
import { makeWorkDirectory, rowLine, writeLines } from "./test-support/parquet-fixtures.js";

const T0 = 1_764_151_200_000_000;

describe("ParquetFileWriter.rewrite", () => {
  let work: string;
  let writer: ParquetFileWriter;
  before(async () => {
    work = makeWorkDirectory();
    writer = await ParquetFileWriter.create({ workDirectory: work, threads: 2 });
  });
  after(() => writer?.close());

  async function file(name: string, columns: ColumnDef[], lines: string[]): Promise<string> {
    const outputPath = join(work, `${name}.parquet`);
    await writer.write({ inputPath: writeLines(work, `${name}.ndjson`, lines), columns, outputPath });
    return outputPath;
  }

  it("merges files of two schema versions, drops tombstoned and expired rows, sorts by id", async () => {
    const v1: ColumnDef[] = [{ name: "n", type: "BIGINT" }];
    const v2: ColumnDef[] = [...v1, { name: "tag", type: "VARCHAR" }];
    const a = await file("a", v1, [rowLine("c", T0, 1n, { n: 1 }), rowLine("a", T0, 2n, { n: 2 })]);
    const b = await file("b", v2, [
      rowLine("b", T0, 3n, { n: 3, tag: "x" }),
      rowLine("a", T0 + 5, 4n, { n: 4, tag: "new" }),
      rowLine("old", T0 - 10, 5n, { n: 5 }),
    ]);
    const tombstonesPath = writeLines(work, "t.ndjson", [tombstoneLine("a", 3n), tombstoneLine("c", 1n)]);
    const outputPath = join(work, "merged.parquet");
    const stats = await writer.rewrite({
      source: {
        columns: v2,
        fileGroups: [
          { paths: [a], columns: v1, tombstoned: true },
          { paths: [b], columns: v2, tombstoned: true },
        ],
        tombstonesPath,
        maxLineBytes: 1 << 20,
        minTimestamp: T0 - 1,
      },
      outputPath,
    });
    const rows = await readParquetRows(outputPath);
    assert.deepEqual(
      rows.map((row) => [row["id"], row["__miniodb_seq"], row["n"], row["tag"]]),
      [
        ["a", 4n, 4n, "new"],
        ["b", 3n, 3n, "x"],
      ],
    );
    assert.equal(stats?.rowCount, 2);
    assert.equal(stats?.minSequence, 3n);
    assert.equal(stats?.maxId, "b");
  });

  it("keeps only the rows a filter selects", async () => {
    const columns: ColumnDef[] = [{ name: "n", type: "BIGINT" }];
    const a = await file("filter", columns, [
      rowLine("a", T0, 1n, { n: 1 }),
      rowLine("b", T0 + 10, 2n, { n: 2 }),
      rowLine("c", T0 + 20, 3n, { n: 3 }),
      rowLine("it's", T0 + 30, 4n, { n: 4 }),
    ]);
    const read = async (filter: { ids?: string[]; from?: number; to?: number }) => {
      const outputPath = join(work, "filtered.parquet");
      const stats = await writer.rewrite({
        source: { columns, fileGroups: [{ paths: [a], columns, tombstoned: false }], maxLineBytes: 1 << 20 },
        outputPath,
        filter,
      });
      return stats ? (await readParquetRows(outputPath)).map((row) => row["id"]) : [];
    };
    assert.deepEqual(await read({ ids: ["c", "it's", "zz"] }), ["c", "it's"]);
    assert.deepEqual(await read({ from: T0 + 10, to: T0 + 30 }), ["b", "c"]);
    assert.deepEqual(await read({ ids: ["a", "b"], from: T0 + 5 }), ["b"]);
    assert.deepEqual(await read({ ids: [] }), []);
  });

  it("writes no file when no row is left", async () => {
    const columns: ColumnDef[] = [{ name: "n", type: "BIGINT" }];
    const a = await file("gone", columns, [rowLine("x", T0, 7n, { n: 1 })]);
    const tombstonesPath = writeLines(work, "gone-t.ndjson", [tombstoneLine("x", 7n)]);
    const outputPath = join(work, "gone-out.parquet");
    const stats = await writer.rewrite({
      source: {
        columns,
        fileGroups: [{ paths: [a], columns, tombstoned: true }],
        tombstonesPath,
        maxLineBytes: 1 << 20,
      },
      outputPath,
    });
    assert.equal(stats, undefined);
    assert.equal(existsSync(outputPath), false);
  });

  it("refuses input paths outside the work directory", async () => {
    await assert.rejects(
      writer.rewrite({
        source: {
          columns: [],
          fileGroups: [{ paths: ["/etc/passwd"], columns: [], tombstoned: false }],
          maxLineBytes: 1 << 20,
        },
        outputPath: join(work, "x.parquet"),
      }),
      /not inside the work directory/,
    );
  });
});
