import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MiniodbError } from "./miniodb-error.js";
import { isTableName, parseTableName } from "./table-name.js";

const isInvalidArgument = (error: unknown) => MiniodbError.is(error, "invalid_argument");

describe("parseTableName", () => {
  it("accepts the original's names", () => {
    for (const name of ["users", "a", "Order_Items_2024", `t${"x".repeat(63)}`]) {
      assert.equal(parseTableName(name), name);
      assert.ok(isTableName(name));
    }
  });

  it("rejects everything else with invalid_argument and a reason", () => {
    const cases: Array<[unknown, RegExp]> = [
      ["", /required/],
      [undefined, /required/],
      [42, /required/],
      ["1users", /start with a letter/],
      ["_users", /start with a letter/],
      ["user-s", /letters, digits and underscores/],
      ["users;drop", /letters, digits and underscores/],
      ["users\u0000", /letters, digits and underscores/],
      ["ü", /letters, digits and underscores/],
      [`t${"x".repeat(64)}`, /longer than 64/],
    ];
    for (const [name, reason] of cases) {
      assert.throws(
        () => parseTableName(name),
        (error: unknown) => isInvalidArgument(error) && reason.test((error as Error).message),
      );
    }
  });

  it("agrees with the rule on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (name) => {
        const valid = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/.test(name);
        assert.equal(isTableName(name), valid);
        if (valid) assert.equal(parseTableName(name), name);
        else assert.throws(() => parseTableName(name), isInvalidArgument);
      }),
    );
  });
});
