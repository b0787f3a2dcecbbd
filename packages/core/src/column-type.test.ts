import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { checkPayloadKey, columnTypeOf, widenColumnType, type ColumnType } from "./column-type.js";
import { MiniodbError } from "./miniodb-error.js";

const types: ColumnType[] = ["BOOLEAN", "BIGINT", "DOUBLE", "VARCHAR", "JSON"];

describe("column types", () => {
  it("maps JSON values to the documented types", () => {
    assert.equal(columnTypeOf(true), "BOOLEAN");
    assert.equal(columnTypeOf(42), "BIGINT");
    assert.equal(columnTypeOf(-0.5), "DOUBLE");
    assert.equal(columnTypeOf(2 ** 60), "DOUBLE");
    assert.equal(columnTypeOf("x"), "VARCHAR");
    assert.equal(columnTypeOf({ a: 1 }), "JSON");
    assert.equal(columnTypeOf([1]), "JSON");
    assert.equal(columnTypeOf(null), undefined);
  });

  it("widens commutatively and never narrows", () => {
    const rank: Record<ColumnType, number> = { BOOLEAN: 0, BIGINT: 0, DOUBLE: 1, VARCHAR: 2, JSON: 3 };
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.constantFrom(...types), (a, b) => {
        const widened = widenColumnType(a, b);
        assert.equal(widened, widenColumnType(b, a));
        assert.ok(rank[widened] >= rank[a] && rank[widened] >= rank[b]);
        assert.equal(widenColumnType(widened, a), widened);
      }),
    );
    assert.equal(widenColumnType("BIGINT", "DOUBLE"), "DOUBLE");
    assert.equal(widenColumnType("BOOLEAN", "BIGINT"), "VARCHAR");
    assert.equal(widenColumnType("VARCHAR", "JSON"), "JSON");
  });

  it("rejects payload keys that collide with record or hidden columns", () => {
    for (const key of ["", "id", "ID", "timestamp", "__miniodb_seq", "a\u0000b", "k".repeat(256)]) {
      assert.throws(
        () => checkPayloadKey(key),
        (error: unknown) => MiniodbError.is(error, "invalid_argument"),
        key,
      );
    }
    for (const key of ["age", "user id", "Ünïcode", '"quoted"', "identifier"]) checkPayloadKey(key);
  });
});
