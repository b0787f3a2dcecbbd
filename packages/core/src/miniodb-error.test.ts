import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { errorCodeTable, errorCodes } from "./error-codes.js";
import { MiniodbError } from "./miniodb-error.js";

describe("MiniodbError", () => {
  it("carries code, details, cause and the code's retryability", () => {
    const cause = new Error("socket closed");
    const error = new MiniodbError("unavailable", "metadata store unreachable", {
      cause,
      details: { store: "redis" },
    });
    assert.equal(error.code, "unavailable");
    assert.equal(error.retryable, true);
    assert.equal(error.cause, cause);
    assert.deepEqual(error.details, { store: "redis" });
    assert.equal(new MiniodbError("invalid_argument", "x").retryable, false);
    assert.equal(new MiniodbError("internal", "x", { retryable: true }).retryable, true);
  });

  it("wraps unknown errors, keeping MiniodbErrors as they are", () => {
    const original = new MiniodbError("not_found", "no table");
    assert.equal(MiniodbError.from(original), original);
    const wrapped = MiniodbError.from(new TypeError("boom"));
    assert.equal(wrapped.code, "internal");
    assert.equal(wrapped.message, "boom");
    assert.equal(MiniodbError.from("text", "unavailable").code, "unavailable");
    const foreign = Object.assign(new Error("taken"), { name: "MiniodbError", code: "already_exists" });
    assert.equal(MiniodbError.from(foreign).code, "already_exists");
  });

  it("maps every code to a gRPC code and an HTTP status, client errors below 500", () => {
    assert.ok(errorCodes.length >= 10);
    for (const code of errorCodes) {
      const info = errorCodeTable[code];
      assert.ok(info.grpcCode >= 1 && info.grpcCode <= 16, code);
      assert.ok(info.httpStatus >= 400 && info.httpStatus <= 599, code);
      if (!info.logAsError)
        assert.ok(info.httpStatus < 500 || code === "unimplemented" || code === "deadline_exceeded", code);
    }
    assert.equal(errorCodeTable.invalid_argument.httpStatus, 400);
    assert.equal(errorCodeTable.payload_too_large.httpStatus, 413);
    assert.equal(errorCodeTable.resource_exhausted.httpStatus, 429);
  });
});
