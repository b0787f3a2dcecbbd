import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serializePayload } from "./serialized-payload.js";

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
