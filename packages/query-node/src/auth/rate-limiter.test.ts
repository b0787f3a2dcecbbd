import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { RateLimiter } from "./rate-limiter.js";

describe("RateLimiter", () => {
  it("allows a burst, then refills at the configured rate, per caller", () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3, now: () => now });
    for (let i = 0; i < 3; i++) limiter.take("a");
    assert.throws(
      () => limiter.take("a"),
      (error: unknown) =>
        MiniodbError.is(error, "resource_exhausted") && error.details["retry_after_seconds"] === "1",
    );
    limiter.take("b");
    now += 500;
    limiter.take("a");
    assert.throws(() => limiter.take("a"));
    now += 10_000;
    for (let i = 0; i < 3; i++) limiter.take("a");
    assert.throws(() => limiter.take("a"));
  });

  it("does nothing at rate 0", () => {
    const limiter = new RateLimiter({ ratePerSecond: 0, burst: 1 });
    for (let i = 0; i < 100; i++) limiter.take("a");
  });
});
