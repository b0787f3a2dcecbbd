import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHealthCheck } from "./health-check.js";

describe("createHealthCheck", () => {
  it("is healthy when every probe answers, with node facts in details", async () => {
    let time = Date.parse("2026-01-01T00:00:00Z");
    const health = createHealthCheck({
      nodeId: "n1",
      mode: "all-in-one",
      version: "1.2.3",
      probes: { metadata: async () => {} },
      now: () => new Date(time),
    });
    time += 65_000;
    const report = await health();
    assert.equal(report.status, "healthy");
    assert.equal(report.version, "1.2.3");
    assert.deepEqual(report.details, {
      metadata: "ok",
      node_id: "n1",
      mode: "all-in-one",
      uptime_seconds: "65",
    });
  });

  it("is unhealthy when a probe fails or hangs, naming the reason", async () => {
    const health = createHealthCheck({
      nodeId: "n1",
      mode: "worker",
      version: "1",
      probeTimeoutMs: 50,
      probes: {
        metadata: async () => {},
        storage: async () => {
          throw new Error("bucket missing");
        },
        duckdb: () => new Promise(() => {}),
      },
    });
    const report = await health();
    assert.equal(report.status, "unhealthy");
    assert.equal(report.details["metadata"], "ok");
    assert.equal(report.details["storage"], "bucket missing");
    assert.equal(report.details["duckdb"], "no answer within 50 ms");
  });

  it("is degraded when one pool of a group fails, unhealthy when all of them do", async () => {
    let primaryUp = false;
    let backupUp = true;
    const pool = (up: () => boolean) => ({
      group: "storage",
      probe: async () => {
        if (!up()) throw new Error("connect ECONNREFUSED");
      },
    });
    const health = createHealthCheck({
      nodeId: "n1",
      mode: "all-in-one",
      version: "1",
      probes: {
        metadata: async () => {},
        "storage.primary": pool(() => primaryUp),
        "storage.backup": pool(() => backupUp),
      },
    });
    const degraded = await health();
    assert.equal(degraded.status, "degraded");
    assert.deepEqual(
      degraded.components.map(({ name, ok, detail }) => ({ name, ok, detail })),
      [
        { name: "metadata", ok: true, detail: "ok" },
        { name: "storage.primary", ok: false, detail: "connect ECONNREFUSED" },
        { name: "storage.backup", ok: true, detail: "ok" },
      ],
    );
    backupUp = false;
    assert.equal((await health()).status, "unhealthy");
    primaryUp = backupUp = true;
    assert.equal((await health()).status, "healthy");
  });
});
