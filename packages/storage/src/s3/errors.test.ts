import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { fromS3Error } from "./errors.js";

const service = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const socket = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe("fromS3Error", () => {
  const cases: [string, unknown, string, boolean][] = [
    ["missing key", service("NoSuchKey", 404), "not_found", false],
    ["missing key on HEAD", service("NotFound", 404), "not_found", false],
    ["missing bucket", service("NoSuchBucket", 404), "failed_precondition", false],
    ["access denied", service("AccessDenied", 403), "permission_denied", false],
    ["unknown access key", service("InvalidAccessKeyId", 403), "permission_denied", false],
    ["throttled", service("SlowDown", 503), "unavailable", true],
    ["server error", service("InternalError", 500), "unavailable", true],
    ["refused connection", socket("ECONNREFUSED"), "unavailable", true],
    ["reset connection", socket("ECONNRESET"), "unavailable", true],
    ["hang-up", new Error("socket hang up"), "unavailable", true],
    [
      "request timeout",
      Object.assign(new Error("timed out"), { name: "TimeoutError" }),
      "deadline_exceeded",
      true,
    ],
    ["unknown CA", socket("UNABLE_TO_VERIFY_LEAF_SIGNATURE"), "unavailable", false],
    ["too large", service("EntityTooLarge", 400), "payload_too_large", false],
    ["other client error", service("MalformedXML", 400), "internal", false],
  ];
  for (const [label, error, code, retryable] of cases) {
    it(`maps ${label} to ${code}${retryable ? " (retryable)" : ""}, keeping the cause`, () => {
      const translated = fromS3Error(error, "t/k");
      assert.equal(translated.code, code);
      assert.equal(translated.retryable, retryable);
      assert.equal(translated.cause, error);
      assert.equal(translated.details["key"], "t/k");
    });
  }

  it("passes a MiniodbError through unchanged", () => {
    const error = new MiniodbError("invalid_argument", "bad key");
    assert.equal(fromS3Error(error, "k"), error);
  });
});
