import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "./miniodb-error.js";
import { serializePayload } from "./serialized-payload.js";
import { EMPTY_SCHEMA, SchemaEvolution } from "./table-schema.js";

describe("SchemaEvolution", () => {
  it("creates version 1 from the first payloads, keeping key spelling and first-seen order", () => {
    const evolution = new SchemaEvolution();
    evolution.observe({ Name: "Ann", age: 31, score: 1.5, tags: ["a"], ok: true, missing: null });
    assert.deepEqual(evolution.result(), {
      version: 1,
      columns: [
        { name: "Name", type: "VARCHAR" },
        { name: "age", type: "BIGINT" },
        { name: "score", type: "DOUBLE" },
        { name: "tags", type: "JSON" },
        { name: "ok", type: "BOOLEAN" },
      ],
    });
  });

  it("evolves the same from a serialized payload as from the object", () => {
    const payloads = [
      { Name: "Ann", age: 31, tags: ["a"], missing: null },
      { age: 1.5, ok: true },
    ];
    const fromObjects = new SchemaEvolution();
    const fromSerialized = new SchemaEvolution();
    for (const payload of payloads) {
      fromObjects.observe(payload);
      fromSerialized.observeSerialized(serializePayload(payload));
    }
    assert.deepEqual(fromSerialized.result(), fromObjects.result());
    assert.throws(
      () => fromSerialized.observeSerialized(serializePayload({ name: "x" })),
      (error: unknown) =>
        MiniodbError.is(error, "invalid_argument") && /differs only in case/.test(error.message),
    );
  });

  it("returns the base schema itself when nothing is new or wider", () => {
    const base = { version: 3, columns: [{ name: "age", type: "DOUBLE" as const }] };
    const evolution = new SchemaEvolution(base);
    evolution.observe({ age: 5 });
    evolution.observe({ age: null });
    assert.equal(evolution.result(), base);
  });

  it("widens and adds in the next version", () => {
    const evolution = new SchemaEvolution({ version: 1, columns: [{ name: "age", type: "BIGINT" }] });
    evolution.observe({ age: 31.5, city: "Oslo" });
    assert.deepEqual(evolution.result(), {
      version: 2,
      columns: [
        { name: "age", type: "DOUBLE" },
        { name: "city", type: "VARCHAR" },
      ],
    });
  });

  it("rejects a key that differs from a column only in case, and reserved keys", () => {
    const evolution = new SchemaEvolution({ version: 1, columns: [{ name: "age", type: "BIGINT" }] });
    assert.throws(
      () => evolution.observe({ Age: 1 }),
      (error: unknown) => MiniodbError.is(error, "invalid_argument"),
    );
    assert.throws(() => new SchemaEvolution(EMPTY_SCHEMA).observe({ id: "x" }), /record column/);
  });
});
