import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { MiniodbError } from "@miniodb/core";
import { isServerFault, toConnectError } from "./connect-errors.js";

describe("toConnectError", () => {
  it("maps our codes to Connect codes and keeps the code name in metadata", () => {
    const cases: Array<[MiniodbError, Code]> = [
      [new MiniodbError("invalid_argument", "bad"), Code.InvalidArgument],
      [new MiniodbError("not_found", "gone"), Code.NotFound],
      [new MiniodbError("already_exists", "dup"), Code.AlreadyExists],
      [new MiniodbError("payload_too_large", "big"), Code.ResourceExhausted],
      [new MiniodbError("unavailable", "down"), Code.Unavailable],
      [new MiniodbError("deadline_exceeded", "slow"), Code.DeadlineExceeded],
    ];
    for (const [error, code] of cases) {
      const converted = toConnectError(error);
      assert.equal(converted.code, code, error.code);
      assert.equal(converted.rawMessage, error.message);
      assert.equal(converted.metadata.get("miniodb-error-code"), error.code);
    }
  });

  it("hides the message of unexpected errors and counts them as server faults", () => {
    const converted = toConnectError(new TypeError("stack detail"));
    assert.equal(converted.code, Code.Internal);
    assert.equal(converted.rawMessage, "internal error");
    assert.ok(isServerFault(new TypeError("x")));
    assert.ok(!isServerFault(new MiniodbError("invalid_argument", "x")));
    assert.ok(!isServerFault(new ConnectError("x", Code.NotFound)));
  });
});
