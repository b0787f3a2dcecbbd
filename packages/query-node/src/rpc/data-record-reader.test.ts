import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { MiniodbError } from "@miniodb/core";
import { DataRecordSchema } from "@miniodb/proto";
import { DataRecordViewSchema } from "@miniodb/proto/views";
import fc from "fast-check";
import { DataRecordReader } from "./data-record-reader.js";
import { recordFromView } from "./proto-convert.js";
import { StructPayloadReader } from "./struct-payload-reader.js";

const payloads = new StructPayloadReader();
const reader = new DataRecordReader(payloads);

/** What the view decoded by protobuf-es gave, as the worker sees it. */
function viaView(bytes: Uint8Array) {
  const record = recordFromView(fromBinary(DataRecordViewSchema, bytes), payloads);
  return { ...record, encodedPayload: record.encodedPayload?.serialize() };
}

function read(bytes: Uint8Array) {
  const record = reader.read(bytes);
  return { ...record, encodedPayload: record.encodedPayload?.serialize() };
}

const recordArb = fc.record(
  {
    id: fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme-ascii" })),
    timestamp: fc.record({
      seconds: fc.oneof(
        fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
        fc.constantFrom(0n, -1n, 2n ** 53n - 1n, -(2n ** 53n) + 1n),
      ),
      nanos: fc.integer({ min: -999_999_999, max: 999_999_999 }),
    }),
    payload: fc.dictionary(
      fc.string().filter((key) => key !== "__proto__"),
      fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.constant(null)),
      { noNullPrototype: true },
    ),
  },
  { requiredKeys: [] },
);

describe("DataRecordReader", () => {
  it("reads what protobuf-es decodes as a DataRecordView: id, timestamp and payload", () => {
    fc.assert(
      fc.property(recordArb, (fields) => {
        const bytes = toBinary(DataRecordSchema, create(DataRecordSchema, fields));
        assert.deepEqual(read(bytes), viaView(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it("merges repeated timestamps, lets the last id and payload win and skips unknown fields", () => {
    const timestamp = (seconds: bigint, nanos: number) =>
      new BinaryWriter().tag(1, 0).int64(seconds).tag(2, 0).int32(nanos).finish();
    const bytes = new BinaryWriter()
      .tag(1, 2)
      .string("first")
      .tag(2, 2)
      .bytes(timestamp(5n, 7000))
      .tag(9, 0)
      .uint64(3n)
      .tag(2, 2)
      .bytes(new BinaryWriter().tag(1, 0).int64(-2n).finish())
      .tag(3, 2)
      .bytes(new Uint8Array(0))
      .tag(1, 2)
      .string("last")
      .finish();
    assert.deepEqual(read(bytes), viaView(bytes));
    assert.equal(reader.read(bytes).timestampMicros, -2_000_000 + 7);
  });

  it("reports bytes that are not a DataRecord as invalid_argument exactly when protobuf-es fails", () => {
    fc.assert(
      fc.property(recordArb, fc.nat(), (fields, cut) => {
        const bytes = toBinary(DataRecordSchema, create(DataRecordSchema, fields));
        const truncated = bytes.subarray(0, cut % (bytes.length + 1));
        let expected: ReturnType<typeof viaView> | undefined;
        try {
          expected = viaView(truncated);
        } catch {
          expected = undefined;
        }
        if (expected) assert.deepEqual(read(truncated), expected);
        else
          assert.throws(
            () => read(truncated),
            (error) => error instanceof MiniodbError && error.code === "invalid_argument",
          );
      }),
      { numRuns: 1000 },
    );
    for (const bytes of [[0x08, 0x01], [0x0a, 0x02, 0xc3, 0x28], [0x0a]])
      assert.throws(() => reader.read(new Uint8Array(bytes)), /not a valid miniodb\.v1\.DataRecord/);
  });
});
