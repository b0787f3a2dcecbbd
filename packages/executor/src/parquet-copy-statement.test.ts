import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MiniodbError, type ColumnType } from "@miniodb/core";
import { ParquetFileWriter } from "./parquet-file-writer.js";
import { readParquetRows } from "./read-parquet-rows.js";
import { makeWorkDirectory, rowLine, writeLines } from "./test-support/parquet-fixtures.js";

const T0 = 1_764_151_200_000_000;

/** Conversion rules of the flush statement: widening keeps every value, type errors fail loudly. */
describe("parquetCopyStatement conversions", () => {
  let work: string;
  let writer: ParquetFileWriter;
  let file = 0;
  before(async () => {
    work = makeWorkDirectory();
    writer = await ParquetFileWriter.create({ workDirectory: work, threads: 1 });
  });
  after(() => writer?.close());

  /** Writes one column of `type` holding `values` (one row each) and reads the column back. */
  async function roundTrip(type: ColumnType, values: readonly unknown[]): Promise<unknown[]> {
    file += 1;
    const lines = values.map((v, i) => rowLine(`r${String(i).padStart(4, "0")}`, T0, BigInt(i), { v }));
    const outputPath = join(work, `out-${file}.parquet`);
    await writer.write({
      inputPath: writeLines(work, `in-${file}.ndjson`, lines),
      columns: [{ name: "v", type }],
      outputPath,
    });
    return (await readParquetRows(outputPath)).map((row) => row["v"]);
  }

  /** Writes raw NDJSON lines and expects invalid_argument, no output file, and a message match. */
  async function rejects(type: ColumnType, lines: readonly string[], message: RegExp): Promise<void> {
    file += 1;
    const outputPath = join(work, `bad-${file}.parquet`);
    await assert.rejects(
      writer.write({
        inputPath: writeLines(work, `bad-${file}.ndjson`, lines),
        columns: [{ name: "v", type }],
        outputPath,
      }),
      (error: unknown) => {
        assert.ok(MiniodbError.is(error, "invalid_argument"), String(error));
        assert.match(error.message, message);
        return true;
      },
      lines.join(" | "),
    );
    assert.ok(!existsSync(outputPath));
  }

  it("DOUBLE takes integers and fractions", async () => {
    const values = [1, -3, 0.5, 2 ** 60, 1e300, -1.5e-10, 0];
    assert.deepEqual(await roundTrip("DOUBLE", values), values);
  });

  it("VARCHAR keeps numbers and booleans as their JSON text and strings as themselves", async () => {
    const values = [
      31,
      -3,
      1.5,
      0.1 + 0.2,
      2 ** 60,
      9_007_199_254_740_993n,
      true,
      false,
      "31",
      "true",
      'a"b\\c',
      "",
    ];
    const lines = values.map((v, i) =>
      typeof v === "bigint"
        ? `{"id":"r${String(i).padStart(4, "0")}","timestamp":${T0},"__miniodb_seq":"${i}","v":${v}}`
        : rowLine(`r${String(i).padStart(4, "0")}`, T0, BigInt(i), { v }),
    );
    file += 1;
    const outputPath = join(work, `varchar-${file}.parquet`);
    await writer.write({
      inputPath: writeLines(work, `varchar-${file}.ndjson`, lines),
      columns: [{ name: "v", type: "VARCHAR" }],
      outputPath,
    });
    const texts = (await readParquetRows(outputPath)).map((row) => row["v"]);
    const expected = values.map((v) =>
      typeof v === "string" ? v : typeof v === "bigint" ? `${v}` : JSON.stringify(v),
    );
    assert.deepEqual(texts, expected);
  });

  it("VARCHAR keeps objects and arrays as JSON text, and any fraction as the same number", async () => {
    const values = [
      { o: 1, n: { a: [1, "x"] } },
      [1, "a", null],
      1e-7,
      0.000001,
      1e21,
      5e-324,
      -1.7976931348623157e308,
    ];
    const texts = await roundTrip("VARCHAR", values);
    assert.deepEqual(
      texts.map((text) => JSON.parse(String(text))),
      values,
    );
  });

  it("JSON keeps any value: objects, arrays, strings, numbers, booleans", async () => {
    const values = [
      { a: { b: [1, { c: "ü" }] } },
      [1, [2, [3]]],
      "str",
      "",
      12.5,
      -7,
      true,
      { 'k"ey': "v\n" },
    ];
    const texts = await roundTrip("JSON", values);
    assert.equal(texts[2], '"str"');
    assert.deepEqual(
      texts.map((text) => JSON.parse(String(text))),
      values,
    );
  });

  it("BIGINT and BOOLEAN keep their values exactly", async () => {
    const big = [0, -1, 9_007_199_254_740_991, -9_007_199_254_740_991];
    assert.deepEqual(await roundTrip("BIGINT", big), big.map(BigInt));
    assert.deepEqual(await roundTrip("BOOLEAN", [true, false, null]), [true, false, null]);
  });

  const line = (v: string, extra = ""): string =>
    `{"id":"row-1","timestamp":${T0},"__miniodb_seq":"1","v":${v}${extra}}`;
  const typeErrors: Array<[ColumnType, string]> = [
    ["BIGINT", "1.5"],
    ["BIGINT", '"12"'],
    ["BIGINT", "true"],
    ["BIGINT", '{"a":1}'],
    ["BIGINT", "1e3"],
    ["DOUBLE", '"1.5"'],
    ["DOUBLE", "true"],
    ["DOUBLE", "[1]"],
    ["DOUBLE", '"NaN"'],
    ["BOOLEAN", "1"],
    ["BOOLEAN", "0"],
    ["BOOLEAN", '"true"'],
    ["BOOLEAN", "[true]"],
  ];
  for (const [type, value] of typeErrors) {
    it(`fails, naming column, row and value, when a ${type} column holds ${value}`, async () => {
      await rejects(
        type,
        [line("1").replace('"v":1', '"v":null'), line(value)],
        /column "v" expects .*row-1.* holds /,
      );
    });
  }

  it("fails instead of wrapping a BIGINT that does not fit in 64 bits", async () => {
    await rejects("BIGINT", [line("100000000000000000000")], /100000000000000000000/);
  });

  const recordErrors: Array<[string, string, RegExp]> = [
    ["a missing id", `{"timestamp":${T0},"__miniodb_seq":"1"}`, /no id/],
    ["a missing timestamp", `{"id":"row-1","__miniodb_seq":"1"}`, /"timestamp" expects/],
    ["a fractional timestamp", `{"id":"row-1","timestamp":1.5,"__miniodb_seq":"1"}`, /"timestamp" expects/],
    ["a missing sequence", `{"id":"row-1","timestamp":${T0}}`, /"__miniodb_seq" expects/],
    [
      "a negative sequence",
      `{"id":"row-1","timestamp":${T0},"__miniodb_seq":"-1"}`,
      /"__miniodb_seq" expects/,
    ],
    [
      "a fractional sequence",
      `{"id":"row-1","timestamp":${T0},"__miniodb_seq":"1.5"}`,
      /"__miniodb_seq" expects/,
    ],
    [
      "a sequence of 2^64",
      `{"id":"row-1","timestamp":${T0},"__miniodb_seq":"18446744073709551616"}`,
      /UINT64/,
    ],
    ["a malformed line", `{"id":"row-1","timestamp":${T0},`, /Malformed JSON/],
    ["a line that is not an object", `[1,2]`, /Expected OBJECT/],
  ];
  for (const [name, text, message] of recordErrors) {
    it(`fails on ${name}`, async () => {
      await rejects("BIGINT", [line("1"), text], message);
    });
  }
});
