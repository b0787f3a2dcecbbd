import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MiniodbError, type ColumnDef } from "@miniodb/core";
import { ParquetFileWriter } from "./parquet-file-writer.js";
import { readParquetRows } from "./read-parquet-rows.js";
import { makeWorkDirectory, queryDuckDb, rowLine, writeLines } from "./test-support/parquet-fixtures.js";
import { quoteLiteral } from "./sql-quote.js";

const T0 = 1_764_151_200_000_000; // 2025-11-26T10:00:00Z in epoch µs

describe("ParquetFileWriter", () => {
  let work: string;
  let writer: ParquetFileWriter;
  before(async () => {
    work = makeWorkDirectory();
    writer = await ParquetFileWriter.create({ workDirectory: work, threads: 2 });
  });
  after(() => writer?.close());

  it("round-trips every column type, nested JSON, unicode and odd column names", async () => {
    const columns: ColumnDef[] = [
      { name: "age", type: "BIGINT" },
      { name: "score", type: "DOUBLE" },
      { name: "ok", type: "BOOLEAN" },
      { name: "name", type: "VARCHAR" },
      { name: "doc", type: "JSON" },
      { name: 'we"ird', type: "VARCHAR" },
      { name: "Name With Space", type: "BIGINT" },
      { name: "ÄÖ", type: "VARCHAR" },
      { name: "it's \\ 😀", type: "JSON" },
    ];
    const doc = { a: [1, { b: null, c: 'ü"\n' }], d: { e: true }, "k y": -2.5 };
    const inputPath = writeLines(work, "types.ndjson", [
      rowLine("user-1", T0, 42n, {
        age: -9_007_199_254_740_991,
        score: 0.1 + 0.2,
        ok: true,
        name: 'Ann "quoted" \\ back\tslash\u0001 日本 😀',
        doc,
        'we"ird': "w",
        "Name With Space": 7,
        ÄÖ: "äö",
        "it's \\ 😀": ["x", 1],
      }),
      rowLine("user-2", T0 + 1, 43n, { age: 9_007_199_254_740_991, score: -1e300, ok: false, name: "" }),
    ]);
    const outputPath = join(work, "types.parquet");
    await writer.write({ inputPath, columns, outputPath });

    const schema = await queryDuckDb(
      `SELECT name, duckdb_type FROM parquet_schema(${quoteLiteral(outputPath)}) WHERE duckdb_type IS NOT NULL`,
    );
    assert.deepEqual(
      schema.map((column) => [column["name"], column["duckdb_type"]]),
      [
        ["id", "VARCHAR"],
        ["timestamp", "TIMESTAMP"],
        ["__miniodb_seq", "UBIGINT"],
        ...columns.map((column) => [column.name, column.type]),
      ],
    );
    const rows = await readParquetRows(outputPath);
    assert.equal(rows.length, 2);
    const [first, second] = rows;
    assert.deepEqual(first, {
      id: "user-1",
      timestamp: BigInt(T0),
      __miniodb_seq: 42n,
      age: -9_007_199_254_740_991n,
      score: 0.1 + 0.2,
      ok: true,
      name: 'Ann "quoted" \\ back\tslash\u0001 日本 😀',
      doc: JSON.stringify(doc),
      'we"ird': "w",
      "Name With Space": 7n,
      ÄÖ: "äö",
      "it's \\ 😀": '["x",1]',
    });
    assert.equal(second?.["timestamp"], BigInt(T0 + 1));
    assert.equal(second?.["score"], -1e300);
    assert.equal(second?.["ok"], false);
    assert.equal(second?.["name"], "");
  });

  it("writes NULL for missing keys and JSON null, and ignores keys that are not columns", async () => {
    const columns: ColumnDef[] = [
      { name: "age", type: "BIGINT" },
      { name: "name", type: "VARCHAR" },
      { name: "doc", type: "JSON" },
    ];
    const inputPath = writeLines(work, "sparse.ndjson", [
      rowLine("a", T0, 1n, { AGE: "not the age column", extra: { deep: [1, 2] }, other: "x" }),
      rowLine("b", T0, 2n, { age: null, name: null, doc: null }),
      rowLine("c", T0, 3n, { name: "only name" }),
    ]);
    const outputPath = join(work, "sparse.parquet");
    await writer.write({ inputPath, columns, outputPath });
    const rows = await readParquetRows(outputPath);
    assert.deepEqual(
      rows.map(({ id, age, name, doc }) => ({ id, age, name, doc })),
      [
        { id: "a", age: null, name: null, doc: null },
        { id: "b", age: null, name: null, doc: null },
        { id: "c", age: null, name: "only name", doc: null },
      ],
    );
    assert.deepEqual(Object.keys(rows[0]!), ["id", "timestamp", "__miniodb_seq", "age", "name", "doc"]);
  });

  it("sorts rows by id, then by sequence", async () => {
    const ids = ["m", "B", "a", "z-1", "Z", "a", "m", "0", "_", "-"];
    const lines = ids.map((id, index) => rowLine(id, T0 + index, BigInt(100 - index)));
    const inputPath = writeLines(work, "order.ndjson", lines);
    const outputPath = join(work, "order.parquet");
    await writer.write({ inputPath, columns: [], outputPath });
    const rows = await readParquetRows(outputPath);
    const expected = ids
      .map((id, index) => ({ id, seq: BigInt(100 - index) }))
      .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : x.seq < y.seq ? -1 : 1));
    assert.deepEqual(
      rows.map((row) => ({ id: row["id"], seq: row["__miniodb_seq"] })),
      expected,
    );
  });

  it("keeps sequence numbers above 2^53 and up to 2^64 - 1 exactly, and reports them in the stats", async () => {
    const sequences = [2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 64n - 2n, 0n];
    const lines = sequences.map((sequence, index) => rowLine(`id-${index}`, T0 - index, sequence));
    const inputPath = writeLines(work, "sequences.ndjson", lines);
    const outputPath = join(work, "sequences.parquet");
    const stats = await writer.write({ inputPath, columns: [], outputPath });
    const rows = await readParquetRows(outputPath);
    assert.deepEqual(
      rows.map((row) => row["__miniodb_seq"]),
      sequences,
    );
    assert.equal(stats.minSequence, 0n);
    assert.equal(stats.maxSequence, 2n ** 64n - 1n);
    // DuckDB keeps unsigned order in the row-group statistics too.
    const [chunk] = await queryDuckDb(
      `SELECT stats_min_value, stats_max_value FROM parquet_metadata(${quoteLiteral(outputPath)}) ` +
        `WHERE path_in_schema = '__miniodb_seq'`,
    );
    assert.deepEqual(chunk, { stats_min_value: "0", stats_max_value: "18446744073709551615" });
  });

  it("compresses every column with ZSTD and writes row-group statistics", async () => {
    const columns: ColumnDef[] = [
      { name: "n", type: "BIGINT" },
      { name: "s", type: "VARCHAR" },
    ];
    const lines = Array.from({ length: 100 }, (_, i) =>
      rowLine(`id-${i}`, T0 + i, BigInt(i), { n: i, s: `v${i}` }),
    );
    const outputPath = join(work, "zstd.parquet");
    await writer.write({ inputPath: writeLines(work, "zstd.ndjson", lines), columns, outputPath });
    const chunks = await queryDuckDb(
      `SELECT path_in_schema, compression, stats_min_value, stats_max_value ` +
        `FROM parquet_metadata(${quoteLiteral(outputPath)}) ORDER BY column_id`,
    );
    assert.equal(chunks.length, 5);
    for (const chunk of chunks) assert.equal(chunk["compression"], "ZSTD", String(chunk["path_in_schema"]));
    assert.deepEqual(
      chunks.map((chunk) => [chunk["path_in_schema"], chunk["stats_min_value"], chunk["stats_max_value"]]),
      [
        ["id", "id-0", "id-99"],
        ["timestamp", "2025-11-26 10:00:00", "2025-11-26 10:00:00.000099"],
        ["__miniodb_seq", "0", "99"],
        ["n", "0", "99"],
        ["s", "v0", "v99"],
      ],
    );
  });

  it("returns the file's stats", async () => {
    const lines = [
      rowLine("k-2", T0 + 5, 9n),
      rowLine("k-1", T0 - 3, 11n),
      rowLine("k-3", T0 + 1_000_000, 10n),
      rowLine("k-1", T0, 12n),
    ];
    const outputPath = join(work, "stats.parquet");
    const stats = await writer.write({
      inputPath: writeLines(work, "stats.ndjson", lines),
      columns: [],
      outputPath,
    });
    assert.deepEqual(stats, {
      rowCount: 4,
      sizeBytes: statSync(outputPath).size,
      minTimestamp: T0 - 3,
      maxTimestamp: T0 + 1_000_000,
      minId: "k-1",
      maxId: "k-3",
      minSequence: 9n,
      maxSequence: 12n,
    });
  });

  it("refuses an input without rows and leaves no file", async () => {
    for (const [name, content] of [
      ["empty.ndjson", []],
      ["blank.ndjson", ["", "  "]],
    ] as const) {
      const outputPath = join(work, `${name}.parquet`);
      await assert.rejects(
        writer.write({ inputPath: writeLines(work, name, content), columns: [], outputPath }),
        (error: unknown) => MiniodbError.is(error, "invalid_argument") && /no rows/.test(error.message),
      );
      assert.ok(!existsSync(outputPath));
    }
  });

  it("keeps an existing output file when a write fails", async () => {
    const outputPath = join(work, "kept.parquet");
    await writer.write({
      inputPath: writeLines(work, "kept.ndjson", [rowLine("a", T0, 1n)]),
      columns: [],
      outputPath,
    });
    const before = readFileSync(outputPath);
    const bad = writeLines(work, "kept-bad.ndjson", [rowLine("a", T0, 1n), "{not json"]);
    await assert.rejects(writer.write({ inputPath: bad, columns: [], outputPath }), MiniodbError);
    assert.deepEqual(readFileSync(outputPath), before);
    assert.deepEqual(
      (await readParquetRows(outputPath)).map((row) => row["id"]),
      ["a"],
    );
  });

  it("quotes paths: quotes, spaces and brackets in the output name", async () => {
    const inputPath = writeLines(work, "it's here.ndjson", [rowLine("a", T0, 1n)]);
    const outputPath = join(work, "o'k [1] *.parquet");
    await writer.write({ inputPath, columns: [], outputPath });
    assert.equal((await readParquetRows(outputPath)).length, 1);
  });

  it("refuses paths outside the work directory, glob patterns and missing inputs", async () => {
    const input = writeLines(work, "paths.ndjson", [rowLine("a", T0, 1n)]);
    const cases: Array<[string, string, string]> = [
      ["/etc/hostname", join(work, "p1.parquet"), "invalid_argument"],
      [input, join(work, "..", "escape.parquet"), "invalid_argument"],
      [join(work, "paths*.ndjson"), join(work, "p2.parquet"), "invalid_argument"],
      [join(work, "missing.ndjson"), join(work, "p3.parquet"), "not_found"],
    ];
    for (const [inputPath, outputPath, code] of cases) {
      await assert.rejects(
        writer.write({ inputPath, columns: [], outputPath }),
        (error: unknown) => MiniodbError.is(error) && error.code === code,
        `${inputPath} → ${outputPath}`,
      );
    }
    assert.ok(!existsSync(join(work, "..", "escape.parquet")));
  });

  it("refuses invalid column lists", async () => {
    const inputPath = writeLines(work, "columns.ndjson", [rowLine("a", T0, 1n)]);
    const bad: ColumnDef[][] = [
      [
        { name: "Name", type: "VARCHAR" },
        { name: "name", type: "BIGINT" },
      ],
      [{ name: "id", type: "VARCHAR" }],
      [{ name: "__miniodb_seq", type: "BIGINT" }],
      [{ name: "x", type: "DATE" as ColumnDef["type"] }],
    ];
    for (const columns of bad) {
      await assert.rejects(
        writer.write({ inputPath, columns, outputPath: join(work, "columns.parquet") }),
        (error: unknown) => MiniodbError.is(error, "invalid_argument"),
        JSON.stringify(columns),
      );
    }
  });

  it("runs writes concurrently", async () => {
    const writes = Array.from({ length: 4 }, (_, n) => {
      const lines = Array.from({ length: 1000 }, (_, i) =>
        rowLine(`w${n}-${i}`, T0 + i, BigInt(i), { v: i }),
      );
      return writer.write({
        inputPath: writeLines(work, `concurrent-${n}.ndjson`, lines),
        columns: [{ name: "v", type: "BIGINT" }],
        outputPath: join(work, `concurrent-${n}.parquet`),
      });
    });
    const stats = await Promise.all(writes);
    assert.deepEqual(
      stats.map((s) => [s.rowCount, s.minId]),
      [0, 1, 2, 3].map((n) => [1000, `w${n}-0`]),
    );
  });

  it("refuses writes after close", async () => {
    const own = await ParquetFileWriter.create({ workDirectory: work, threads: 1 });
    await own.close();
    await own.close();
    await assert.rejects(
      own.write({
        inputPath: join(work, "stats.ndjson"),
        columns: [],
        outputPath: join(work, "closed.parquet"),
      }),
      (error: unknown) => MiniodbError.is(error, "failed_precondition"),
    );
  });

  it("refuses a work directory that does not exist", async () => {
    await assert.rejects(ParquetFileWriter.create({ workDirectory: join(work, "nope") }), (error: unknown) =>
      MiniodbError.is(error, "invalid_argument"),
    );
  });
});

describe("ParquetFileWriter with a memory limit", () => {
  it("applies the limit, writes a sorted file within it and reports DuckDB's memory use", async () => {
    const work = makeWorkDirectory();
    const writer = await ParquetFileWriter.create({ workDirectory: work, memoryLimit: "256MB", threads: 1 });
    try {
      const rows = 100_000;
      const lines = Array.from({ length: rows }, (_, i) =>
        rowLine(`id-${(i * 7919) % rows}`, T0 + i, BigInt(i + 1), { name: `user-${i}`, n: i }),
      );
      const inputPath = writeLines(work, "many.ndjson", lines);
      const outputPath = join(work, "many.parquet");
      const columns: ColumnDef[] = [
        { name: "name", type: "VARCHAR" },
        { name: "n", type: "BIGINT" },
      ];
      const stats = await writer.write({ inputPath, columns, outputPath });
      assert.equal(stats.rowCount, rows);
      const [first] = await queryDuckDb(`SELECT id FROM ${quoteLiteral(outputPath)} LIMIT 1`);
      assert.equal(first?.["id"], "id-0");
      const usage = await writer.memoryUsage();
      assert.equal(usage.memoryLimit, "244.1 MiB");
      assert.ok(usage.memoryBytes <= 256 * 1024 * 1024, `DuckDB holds ${usage.memoryBytes} bytes`);
    } finally {
      await writer.close();
    }
  });
});
