import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { recordFromJson } from "./record-json.js";

describe("recordFromJson", () => {
  it("reads id, RFC 3339 timestamp and payload, with null or absent meaning unset", () => {
    assert.deepEqual(
      recordFromJson({ id: "a", timestamp: "2024-01-01T00:00:00.000001Z", payload: { x: 1 } }),
      {
        id: "a",
        timestampMicros: Date.UTC(2024, 0, 1) * 1000 + 1,
        payload: { x: 1 },
      },
    );
    assert.deepEqual(recordFromJson({ id: null, timestamp: null, payload: {} }), {
      id: undefined,
      timestampMicros: undefined,
      payload: {},
    });
    assert.deepEqual(recordFromJson({}), { id: undefined, timestampMicros: undefined, payload: undefined });
  });

  it("refuses what the protobuf JSON mapping refuses", () => {
    for (const item of [
      null,
      [],
      "x",
      { id: 5 },
      { timestamp: 1700000000 },
      { timestamp: "yesterday" },
      { payload: {}, extra: 1 },
    ]) {
      assert.throws(
        () => recordFromJson(item),
        (error: unknown) => MiniodbError.is(error, "invalid_argument"),
        JSON.stringify(item),
      );
    }
  });
});
