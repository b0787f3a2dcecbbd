import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_TABLE_CONFIG, MiniodbError, normalizeTableConfig } from "@miniodb/core";
import { createIdGenerator } from "./id-generator.js";
import { RecordPreparer } from "./record-preparer.js";

const invalid = (pattern: RegExp) => (error: unknown) =>
  MiniodbError.is(error, "invalid_argument") && pattern.test(error.message);

describe("RecordPreparer", () => {
  it("keeps given ids and timestamps and defaults a missing timestamp to now", () => {
    const preparer = new RecordPreparer(DEFAULT_TABLE_CONFIG, "n1", () => 1_700_000_000_000_000);
    assert.deepEqual(
      preparer.prepare({ id: "u1", timestampMicros: 5_000_000_000_000_000 - 1, payload: { a: 1 } }),
      {
        id: "u1",
        timestampMicros: 5_000_000_000_000_000 - 1,
        payload: { json: '{"a":1}', keys: ["a"], types: ["BIGINT"] },
      },
    );
    assert.equal(preparer.prepare({ id: "u1", payload: {} }).timestampMicros, 1_700_000_000_000_000);
  });

  it("takes a payload still in its wire form, whose reading fails only this record", () => {
    const preparer = new RecordPreparer(DEFAULT_TABLE_CONFIG, "n1", () => 1);
    const serialized = { json: '{"b":true}', keys: ["b"], types: ["BOOLEAN" as const] };
    assert.deepEqual(preparer.prepare({ id: "u1", encodedPayload: { serialize: () => serialized } }), {
      id: "u1",
      timestampMicros: 1,
      payload: serialized,
    });
    const malformed = {
      serialize: () => {
        throw new MiniodbError("invalid_argument", "payload is not a valid google.protobuf.Struct");
      },
    };
    assert.throws(() => preparer.prepare({ id: "u1", encodedPayload: malformed }), invalid(/valid google/));
  });

  it("rejects payloads that are not objects, bad ids and out-of-range timestamps", () => {
    const preparer = new RecordPreparer(DEFAULT_TABLE_CONFIG, "n1");
    for (const payload of [undefined, null, [1], "x", 3]) {
      assert.throws(() => preparer.prepare({ id: "a", payload }), invalid(/payload must be a JSON object/));
    }
    assert.throws(() => preparer.prepare({ id: "a b", payload: {} }), invalid(/invalid id/));
    assert.throws(
      () => preparer.prepare({ id: "a", timestampMicros: -4e16, payload: {} }),
      invalid(/outside years/),
    );
  });

  it("generates ids per strategy with the prefix, or requires them", () => {
    const strict = new RecordPreparer(normalizeTableConfig({ autoGenerateId: false }), "n1");
    assert.throws(() => strict.prepare({ payload: {} }), invalid(/an id is required/));
    const cases: Array<[string, RegExp]> = [
      ["uuid", /^evt_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/],
      ["snowflake", /^evt_\d{15,19}$/],
      ["custom", /^evt_[0-9a-z]+-[0-9a-z]{3,}$/],
      ["user_provided", /^evt_[0-9a-f-]{36}$/],
    ];
    for (const [strategy, shape] of cases) {
      const preparer = new RecordPreparer(
        normalizeTableConfig({ idStrategy: strategy as never, idPrefix: "evt_" }),
        "n1",
      );
      assert.match(preparer.prepare({ payload: {} }).id, shape, strategy);
    }
  });

  it("generates unique, increasing snowflake and custom ids even within one millisecond", () => {
    for (const strategy of ["snowflake", "custom"] as const) {
      const generate = createIdGenerator(strategy, "", "node-a", () => 1_800_000_000_000);
      const ids = Array.from({ length: 10_000 }, generate);
      assert.equal(new Set(ids).size, ids.length, strategy);
      if (strategy === "snowflake")
        for (let i = 1; i < ids.length; i++) assert.ok(BigInt(ids[i]!) > BigInt(ids[i - 1]!));
    }
  });
});
