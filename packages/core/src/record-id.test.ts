import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MiniodbError } from "./miniodb-error.js";
import { RecordIdValidator } from "./record-id.js";

const rejects = (validator: RecordIdValidator, id: string, reason: RegExp) =>
  assert.throws(
    () => validator.validate(id),
    (error: unknown) => MiniodbError.is(error, "invalid_argument") && reason.test((error as Error).message),
  );

describe("RecordIdValidator", () => {
  it("applies the global rule by default", () => {
    const validator = new RecordIdValidator();
    for (const id of ["user-1", "A_b-9", "x".repeat(255)]) validator.validate(id);
    rejects(validator, "", /required/);
    rejects(validator, "x".repeat(256), /longer than 255/);
    rejects(validator, "user 1", /only letters, digits/);
    rejects(validator, "../etc/passwd", /only letters, digits/);
    rejects(validator, "ümlaut", /only letters, digits/);
  });

  it("tightens with max_length, allowed_chars and a whole-id pattern", () => {
    const validator = new RecordIdValidator({
      maxLength: 8,
      allowedChars: "abc0123456789-",
      pattern: "[a-c]+-[0-9]+",
    });
    validator.validate("ab-12");
    rejects(validator, "abc-123456", /longer than 8/);
    rejects(validator, "abd-1", /"d" is not allowed/);
    rejects(validator, "ab-1c", /does not match the table's pattern \[a-c\]\+-\[0-9\]\+/);
    rejects(validator, "xab-1", /not allowed/);
  });

  it("cannot loosen the global rule", () => {
    const validator = new RecordIdValidator({ maxLength: 1000, allowedChars: "a b", pattern: ".*" });
    rejects(validator, "a".repeat(256), /longer than 255/);
    rejects(validator, "a b", /only letters, digits/);
  });

  it("rejects invalid rules when the table is configured", () => {
    assert.throws(() => new RecordIdValidator({ pattern: "(" }), /not a valid regular expression/);
    assert.throws(() => new RecordIdValidator({ maxLength: -1 }), /max_length/);
  });

  it("accepts exactly the ids the global rule allows", () => {
    const validator = new RecordIdValidator();
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (id) => {
        const valid = id.length >= 1 && id.length <= 255 && /^[A-Za-z0-9_-]+$/.test(id);
        assert.equal(validator.problemWith(id) === undefined, valid);
      }),
    );
  });
});
