import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary, toBinary, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { MiniodbError, serializePayload, type SerializedPayload } from "@miniodb/core";
import { DataRecordSchema } from "@miniodb/proto";
import { DataRecordViewSchema } from "@miniodb/proto/views";
import fc from "fast-check";
import { payloadFields } from "../test-support/payload-fields.js";
import { StructPayloadReader } from "./struct-payload-reader.js";

/** One reader for every case, so that strings it keeps from earlier payloads are exercised too. */
const reader = new StructPayloadReader();
const readStructPayload = (bytes: Uint8Array) => reader.read(bytes);

/** The payload bytes a client sends for `payload`, as the server's view receives them. */
function encode(payload: JsonObject): Uint8Array {
  const bytes = toBinary(DataRecordSchema, create(DataRecordSchema, { id: "x", payload }));
  return fromBinary(DataRecordViewSchema, bytes).payload!;
}

/** What the write path saw before: protobuf-es's JsonObject for these Struct bytes, serialized. */
function viaProtobufEs(structBytes: Uint8Array): SerializedPayload {
  const record = new BinaryWriter().tag(3, 2).bytes(structBytes).finish();
  return serializePayload(fromBinary(DataRecordSchema, record).payload!);
}

/** A Value message's bytes, written by hand (for oneof and merge cases no encoder produces). */
function value(write: (writer: BinaryWriter) => void): Uint8Array {
  const writer = new BinaryWriter();
  write(writer);
  return writer.finish();
}

/** A Struct with one entry `key` whose Value bytes are given. */
function structOf(key: string, valueBytes: Uint8Array): Uint8Array {
  const entry = new BinaryWriter().tag(1, 2).string(key).tag(2, 2).bytes(valueBytes).finish();
  return new BinaryWriter().tag(1, 2).bytes(entry).finish();
}

const invalid = (pattern: RegExp) => (error: unknown) =>
  error instanceof MiniodbError && error.code === "invalid_argument" && pattern.test(error.message);

const key = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme-ascii" }),
  fc.constantFrom("", "__proto__", "0", "1", "01", "10", "-1", "4294967294", "4294967295", "a b", '"\\'),
);
const { json } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
    fc.constantFrom(2 ** 53, 1e21, -0, 5e-324, Number.MAX_VALUE),
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme" }),
    fc.array(tie("json")),
    fc.dictionary(key, tie("json"), { noNullPrototype: true }),
  ),
}));
const payloadArb = fc.dictionary(key, json, { noNullPrototype: true });

describe("StructPayloadReader", () => {
  it("gives the JSON text, keys and column types the protobuf-es JsonObject gives", () => {
    fc.assert(
      fc.property(payloadArb, (payload) => {
        const bytes = encode(payload);
        assert.deepEqual(payloadFields(readStructPayload(bytes)), viaProtobufEs(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it("merges a Struct sent in two parts, as protobuf merges a repeated message field", () => {
    fc.assert(
      fc.property(payloadArb, payloadArb, (first, second) => {
        const bytes = Buffer.concat([encode(first), encode(second)]);
        assert.deepEqual(payloadFields(readStructPayload(bytes)), viaProtobufEs(bytes));
      }),
    );
  });

  it("reports malformed or truncated bytes as invalid_argument exactly when protobuf-es fails", () => {
    fc.assert(
      fc.property(payloadArb, fc.nat(), (payload, cut) => {
        const bytes = encode(payload);
        const truncated = bytes.subarray(0, cut % (bytes.length + 1));
        let expected: SerializedPayload | undefined;
        try {
          expected = viaProtobufEs(truncated);
        } catch {
          expected = undefined;
        }
        if (expected) assert.deepEqual(payloadFields(readStructPayload(truncated)), expected);
        else assert.throws(() => readStructPayload(truncated), invalid(/not a valid google.protobuf.Struct/));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (garbage) => {
        try {
          readStructPayload(garbage);
        } catch (error) {
          assert.ok(invalid(/not a valid google.protobuf.Struct/)(error), String(error));
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("reads an empty Struct, unicode keys, escapes and deep nesting", () => {
    assert.deepEqual(payloadFields(readStructPayload(new Uint8Array(0))), {
      json: "{}",
      keys: [],
      types: [],
    });
    const payload = {
      "ключ 🔑": "värde",
      'q"uote\\': "line\nbreak\t\u0001\u007f",
      "\uFEFFbom": "\uFEFFkept in the middle? \uFEFF",
      deep: JSON.parse(`${"[".repeat(40)}{"a":1}${"]".repeat(40)}`) as JsonValue,
      big: 2 ** 53,
      safe: 2 ** 53 - 1,
      neg: -0.5,
    };
    const read = readStructPayload(encode(payload));
    assert.deepEqual(payloadFields(read), viaProtobufEs(encode(payload)));
    assert.deepEqual(read.types, ["VARCHAR", "VARCHAR", "VARCHAR", "JSON", "DOUBLE", "BIGINT", "DOUBLE"]);
  });

  it("writes NaN and ±Infinity as null in a DOUBLE column, as JSON.stringify did", () => {
    for (const number of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const bytes = structOf(
        "n",
        value((w) => w.tag(2, 1).double(number)),
      );
      assert.deepEqual(payloadFields(readStructPayload(bytes)), {
        json: '{"n":null}',
        keys: ["n"],
        types: ["DOUBLE"],
      });
      assert.deepEqual(payloadFields(readStructPayload(bytes)), viaProtobufEs(bytes));
    }
  });

  it("lets the last Value field win and merges a struct or list set twice in a row", () => {
    const cases = [
      value((w) => w.tag(3, 2).string("s").tag(2, 1).double(1.5)),
      value((w) => w.tag(2, 1).double(1).tag(1, 0).int32(0)),
      value((w) => w.tag(4, 0).uint64(2n ** 40n)),
      value((w) => w.tag(6, 2).bytes(new Uint8Array(0)).tag(6, 2).bytes(new Uint8Array(0))),
      value((w) => {
        const a = value((v) => v.tag(3, 2).string("a"));
        const listOfA = value((v) => v.tag(1, 2).bytes(a));
        w.tag(6, 2).bytes(listOfA).tag(6, 2).bytes(listOfA).tag(5, 2).bytes(structOf("k", a));
        w.tag(5, 2).bytes(structOf("j", a));
      }),
      value((w) => {
        const listOfA = value((v) => v.tag(1, 2).bytes(value((x) => x.tag(3, 2).string("a"))));
        w.tag(6, 2).bytes(listOfA).tag(6, 2).bytes(listOfA);
      }),
      value((w) =>
        w
          .tag(5, 2)
          .bytes(structOf("k", new Uint8Array(0)))
          .tag(3, 2)
          .string("last"),
      ),
    ];
    const expected = [
      '{"v":1.5}',
      '{"v":null}',
      '{"v":true}',
      '{"v":[]}',
      '{"v":{"k":"a","j":"a"}}',
      '{"v":["a","a"]}',
      '{"v":"last"}',
    ];
    cases.forEach((valueBytes, index) => {
      const bytes = structOf("v", valueBytes);
      const read = readStructPayload(bytes);
      assert.deepEqual(payloadFields(read), viaProtobufEs(bytes), `case ${index}`);
      assert.equal(read.json, expected[index]);
    });
  });

  it("skips unknown fields, and defaults a missing key or value", () => {
    const unknown = (w: BinaryWriter) =>
      w.tag(9, 0).uint64(5n).tag(10, 1).fixed64(1n).tag(11, 5).fixed32(2).tag(12, 2).string("zz");
    const entry = value((w) => {
      unknown(w);
      w.tag(1, 2)
        .string("k")
        .tag(2, 2)
        .bytes(value((v) => unknown(v.tag(4, 0).bool(true))));
    });
    const bytes = value((w) => {
      unknown(w);
      w.tag(1, 2).bytes(entry).tag(1, 2).bytes(new Uint8Array(0));
      w.tag(3, 3).tag(1, 0).int32(1).tag(3, 4);
    });
    assert.deepEqual(payloadFields(readStructPayload(bytes)), {
      json: '{"k":true,"":null}',
      keys: ["k", ""],
      types: ["BOOLEAN", undefined],
    });
  });

  it("rejects invalid UTF-8 in keys and strings, and nesting past protobuf-es's depth limit", () => {
    const badUtf8 = new Uint8Array([0xed, 0xa0, 0x80]); // an encoded lone surrogate
    const rawString = (field: number, bytes: Uint8Array) => value((w) => w.tag(field, 2).bytes(bytes));
    const entry = (keyBytes: Uint8Array, valueBytes: Uint8Array) =>
      value((w) => w.tag(1, 2).bytes(keyBytes).tag(2, 2).bytes(valueBytes));
    for (const bytes of [
      value((w) => w.tag(1, 2).bytes(entry(badUtf8, new Uint8Array(0)))),
      structOf("k", rawString(3, new Uint8Array([0x61, 0xff]))),
    ]) {
      assert.throws(() => viaProtobufEs(bytes));
      assert.throws(() => readStructPayload(bytes), invalid(/not valid UTF-8/));
    }
    let nested = structOf("k", new Uint8Array(0));
    for (let i = 0; i < 60; i++)
      nested = structOf(
        "k",
        value((w) => w.tag(5, 2).bytes(nested)),
      );
    assert.throws(() => viaProtobufEs(nested));
    assert.throws(() => readStructPayload(nested), invalid(/nested deeper/));
  });
});
