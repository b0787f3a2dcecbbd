import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromJson, toBinary, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { StructSchema } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { encodeStructPayload } from "./encode-struct-payload.js";

const reference = (object: JsonObject) => toBinary(StructSchema, fromJson(StructSchema, object));

const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ unit: "grapheme" }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("encodeStructPayload", () => {
  it("writes the bytes protobuf-es writes for the same Struct", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: "grapheme" }), jsonValue, { maxKeys: 8 }), (object) => {
        assert.deepEqual(encodeStructPayload(object), reference(object));
      }),
      { numRuns: 500 },
    );
  });

  it("handles the empty object, nesting and every value kind", () => {
    const object: JsonObject = {
      s: "é ✓ 😀",
      n: -1.5e-7,
      i: 9007199254740991,
      b: false,
      z: null,
      l: [1, "two", [3], { four: 4 }],
      o: { deep: { deeper: [] } },
    };
    assert.deepEqual(encodeStructPayload({}), new Uint8Array());
    assert.deepEqual(encodeStructPayload(object), reference(object));
  });
});
