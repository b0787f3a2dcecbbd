import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { withRetry } from "./with-retry.js";

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };
const translate = (error: unknown) => MiniodbError.from(error);

function failing(codes: ("unavailable" | "not_found")[]): {
  operation: () => Promise<string>;
  calls: () => number;
} {
  let calls = 0;
  return {
    operation: async () => {
      const code = codes[calls++];
      if (code) throw new MiniodbError(code, code);
      return "ok";
    },
    calls: () => calls,
  };
}

describe("withRetry", () => {
  it("retries retryable errors with capped exponential backoff and full jitter", async () => {
    const waits: number[] = [];
    const { operation, calls } = failing(["unavailable", "unavailable", "unavailable"]);
    const result = await withRetry(operation, translate, policy, {
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
    });
    assert.equal(result, "ok");
    assert.equal(calls(), 4);
    assert.deepEqual(waits, [50, 100, 125]);
  });

  it("fails at once on an error that is not retryable", async () => {
    const { operation, calls } = failing(["not_found"]);
    await assert.rejects(withRetry(operation, translate, policy, { sleep: async () => {} }), (e: unknown) =>
      MiniodbError.is(e, "not_found"),
    );
    assert.equal(calls(), 1);
  });

  it("gives up after maxAttempts with the translated error", async () => {
    const { operation, calls } = failing([
      "unavailable",
      "unavailable",
      "unavailable",
      "unavailable",
      "unavailable",
    ]);
    await assert.rejects(withRetry(operation, translate, policy, { sleep: async () => {} }), (e: unknown) =>
      MiniodbError.is(e, "unavailable"),
    );
    assert.equal(calls(), 4);
  });
});
