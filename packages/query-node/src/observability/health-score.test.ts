import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HealthReport, HealthStatus } from "../services/health-check.js";
import { healthScore } from "./health-score.js";

function report(status: HealthStatus, ok: boolean[]): HealthReport {
  return {
    status,
    version: "1",
    timestamp: new Date(0),
    details: {},
    components: ok.map((up, index) => ({
      name: `c${index}`,
      ok: up,
      detail: up ? "ok" : "down",
      latencyMs: 1,
    })),
  };
}

describe("healthScore", () => {
  const calm = { successRate: 1, bufferPressure: 0, queuePressure: 0 };
  it("is 100 for a healthy idle node and drops with failures and pressure", () => {
    assert.equal(healthScore({ health: report("healthy", [true, true, true, true]), ...calm }), 100);
    assert.equal(healthScore({ health: report("degraded", [true, false, true, true]), ...calm }), 87.5);
    assert.equal(healthScore({ health: report("healthy", [true]), ...calm, successRate: 0.5 }), 85);
    assert.equal(healthScore({ health: report("healthy", [true]), ...calm, bufferPressure: 2 }), 80);
  });
  it("stays at or below 50 when the node is unhealthy, under the original's alert threshold of 70", () => {
    assert.equal(healthScore({ health: report("unhealthy", [false, true, true, true]), ...calm }), 50);
  });
});
