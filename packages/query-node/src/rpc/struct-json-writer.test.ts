import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, fromBinary, toBinary, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { serializePayload } from "@miniodb/core";
import { DataRecordSchema } from "@miniodb/proto";
import { DataRecordViewSchema } from "@miniodb/proto/views";
import fc from "fast-check";
import { payloadFields } from "../test-support/payload-fields.js";
import { StructJsonWriter } from "./struct-json-writer.js";
import { StringInterner } from "./wire-cursor.js";

const writer = new StructJsonWriter(new StringInterner());

function encode(payload: JsonObject): Uint8Array {
  const bytes = toBinary(DataRecordSchema, create(DataRecordSchema, { id: "x", payload }));
  return fromBinary(DataRecordViewSchema, bytes).payload!;
}

/** Keys the fast path takes: none starts with a digit, none is `__proto__`. */
const key = fc.oneof(
  fc.string({ unit: "binary" }).filter((k) => !/^[0-9]/.test(k) && k !== "__proto__"),
  fc.constantFrom("a", "b", "name", "a b", '"\\', "\u0001", "ключ", "🔑"),
);
const { json } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme-ascii" }),
    fc.array(tie("json")),
    fc.dictionary(key, tie("json"), { noNullPrototype: true }),
  ),
}));

describe("StructJsonWriter (the fast path of StructPayloadReader)", () => {
  it("writes ordinary payloads itself, exactly as JSON.stringify of protobuf-es's JsonObject", () => {
    fc.assert(
      fc.property(fc.dictionary(key, json, { noNullPrototype: true }), (payload) => {
        const written = writer.write(encode(payload));
        assert.ok(written, "took the fast path");
        assert.deepEqual(payloadFields(written), serializePayload(payload));
      }),
      { numRuns: 2000 },
    );
  });

  it("shares the keys and types arrays of payloads of the same shape", () => {
    const first = writer.write(encode({ a: 1, b: "x", c: { d: [1, "2"] } }))!;
    const second = writer.write(encode({ a: 2, b: "y", c: { e: null } }))!;
    const third = writer.write(encode({ a: 2.5, b: "y", c: {} }))!;
    assert.equal(second.keys, first.keys);
    assert.equal(second.types, first.types);
    assert.deepEqual(third.types, ["DOUBLE", "VARCHAR", "JSON"]);
    assert.equal(second.json, '{"a":2,"b":"y","c":{"e":null}}');
  });

  it("reads each key afresh when it only looks like the previous payload's key at its place", () => {
    // Each pair: a payload, then one whose keys have the same lengths (in UTF-16 units or bytes).
    const sequences: JsonObject[][] = [
      [
        { ab: 1, cd: 2 },
        { ab: 1, ce: 2 },
      ],
      [{ "Ã©": 1 }, { é: 1 }, { "Ã©": 1 }],
      [{ 'a"': 1 }, { 'a"': 2 }],
      [{ "a\\": 1 }, { "a\\": true }],
      [{ "\u0001b": 1 }, { "\u0001b": "x" }],
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
        { "": 3, a: 1 },
      ],
    ];
    for (const payloads of sequences)
      for (const payload of payloads)
        assert.deepEqual(payloadFields(writer.write(encode(payload))!), serializePayload(payload));
  });

  it("leaves repeated or digit-led keys, __proto__ and malformed bytes to the exact reader", () => {
    const specials: JsonObject[] = [
      { "1": 1, a: 2 },
      { b: 1, a: { "0": 1 } },
    ];
    for (const payload of specials) assert.equal(writer.write(encode(payload)), undefined);
    const twice = Buffer.concat([encode({ a: 1 }), encode({ a: 2 })]);
    assert.equal(writer.write(twice), undefined);
    assert.equal(writer.write(encode({ a: "truncated" }).subarray(0, 5)), undefined);
  });
});
