import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Latencies } from "./latency.js";

describe("Latencies", () => {
  it("reports percentiles of the samples", () => {
    const latencies = new Latencies();
    for (let ms = 1; ms <= 100; ms++) latencies.add(ms);
    assert.equal(latencies.percentile(50), 51);
    assert.equal(latencies.percentile(99), 100);
    assert.equal(latencies.count, 100);
    assert.ok(Number.isNaN(new Latencies().percentile(50)));
  });
});
