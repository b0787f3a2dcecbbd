import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RequestWindow, successRate } from "./request-window.js";

describe("RequestWindow", () => {
  it("counts outcomes per key over the window and forgets older ones", () => {
    let now = 1_000_000;
    const window = new RequestWindow({ windowMs: 60_000, bucketMs: 10_000, now: () => now });
    window.record(["query|a"], true, "query", 0.1);
    window.record(["query|a", "query|b"], false, "query", 0.2);
    assert.deepEqual(window.outcomes().get("query|a"), { success: 1, error: 1 });
    assert.equal(successRate(window.outcomes().get("query|a")), 0.5);
    now += 45_000;
    window.record(["query|a"], true, "query", 0.3);
    assert.deepEqual(window.outcomes().get("query|a"), { success: 2, error: 1 });
    now += 30_000;
    assert.deepEqual(window.outcomes().get("query|a"), { success: 1, error: 0 });
    assert.equal(window.outcomes().get("query|b"), undefined);
    assert.equal(successRate(undefined), 1);
  });

  it("gives latency percentiles of the latest samples per method", () => {
    const window = new RequestWindow({ latencySamples: 100 });
    for (let i = 1; i <= 200; i++) window.record([], true, "query", i / 1000);
    window.record([], true, "write", 5);
    const query = window.latency("query");
    assert.equal(query.count, 100);
    assert.equal(query.p50, 0.151);
    assert.equal(query.p99, 0.2);
    assert.equal(query.max, 0.2);
    assert.equal(window.latency().max, 5);
    assert.deepEqual(window.latency("stream_query"), { count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});
