import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import fc from "fast-check";
import { DataRecordSchema } from "@miniodb/proto";
import { microsToTimestamp } from "./proto-convert.js";
import { RecordBytesWriter } from "./record-bytes-writer.js";

interface Row {
  id: string | undefined;
  micros: number | undefined;
  payload: JsonObject;
}

const reference = (row: Row) =>
  toBinary(
    DataRecordSchema,
    create(DataRecordSchema, {
      id: row.id ?? "",
      payload: row.payload,
      ...(row.micros === undefined ? {} : { timestamp: microsToTimestamp(row.micros) }),
    }),
  );

/** protobuf-es drops a `__proto__` key when it builds a Struct from an object; the writer keeps it. */
const key = fc.string({ unit: "grapheme" }).filter((text) => text !== "__proto__");

const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ unit: "grapheme", maxLength: 200 }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }),
  ),
})).value;

const row: fc.Arbitrary<Row> = fc.record({
  id: fc.option(fc.string({ unit: "grapheme", maxLength: 40 }), { nil: undefined }),
  micros: fc.option(fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }).map(Number), {
    nil: undefined,
  }),
  payload: fc.dictionary(key, jsonValue, { maxKeys: 12 }),
});

describe("RecordBytesWriter", () => {
  it("writes the bytes protobuf-es writes for each record of a batch", () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), (rows) => {
        const writer = new RecordBytesWriter();
        for (const each of rows) writer.record(each.id, each.micros, each.payload);
        const written = writer.take();
        assert.equal(written.length, rows.length);
        rows.forEach((each, index) => assert.deepEqual(new Uint8Array(written[index]!), reference(each)));
      }),
      { numRuns: 400 },
    );
  });

  it("handles long values that need multi-byte lengths, and starts afresh after take", () => {
    const writer = new RecordBytesWriter();
    const long = { text: "x".repeat(70_000), list: Array.from({ length: 300 }, (_, i) => i) };
    writer.record("a", 0, long);
    assert.deepEqual(new Uint8Array(writer.take()[0]!), reference({ id: "a", micros: 0, payload: long }));
    writer.record(undefined, undefined, {});
    assert.deepEqual(
      writer.take().map((bytes) => bytes.length),
      [2],
    );
  });
});
