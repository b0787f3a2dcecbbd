import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { PayloadSerializer, serializePayload } from "./serialized-payload.js";

describe("serializePayload", () => {
  it("gives the JSON text and each key's column type, in the text's order", () => {
    assert.deepEqual(serializePayload({ b: 1, a: "x", n: null, f: 1.5, t: false, o: { x: [1] }, 2: 0 }), {
      json: '{"2":0,"b":1,"a":"x","n":null,"f":1.5,"t":false,"o":{"x":[1]}}',
      keys: ["2", "b", "a", "n", "f", "t", "o"],
      types: ["BIGINT", "BIGINT", "VARCHAR", undefined, "DOUBLE", "BOOLEAN", "JSON"],
    });
    assert.deepEqual(serializePayload({}), { json: "{}", keys: [], types: [] });
  });
});

describe("PayloadSerializer", () => {
  it("serializes a run of payloads like serializePayload, sharing the arrays of equal shapes", () => {
    const value = fc.oneof(
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.constant(null),
      fc.object(),
    );
    const payload = fc.dictionary(fc.constantFrom("a", "b", "c", "2", "name"), value, { maxKeys: 4 });
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 12 }), (payloads) => {
        const serializer = new PayloadSerializer();
        const results = payloads.map((item) => serializer.serialize(item));
        results.forEach((result, index) => {
          // Also checks that later payloads did not change the arrays handed out earlier.
          assert.deepEqual(result, serializePayload(payloads[index]!));
          const previous = results[index - 1];
          const sameShape =
            previous !== undefined &&
            JSON.stringify([previous.keys, previous.types]) === JSON.stringify([result.keys, result.types]);
          assert.equal(
            sameShape && result.keys === previous.keys && result.types === previous.types,
            sameShape,
          );
        });
      }),
      { numRuns: 2000 },
    );
  });
});
