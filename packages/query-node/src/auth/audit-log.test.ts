import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createNodeLogger } from "../observability/create-logger.js";
import { newRequestContext, runInRequest } from "../observability/request-context.js";
import { createPinoAuditLog } from "./audit-log.js";

describe("createPinoAuditLog", () => {
  it("writes one line per event through the node's logger, with every field and the request id", () => {
    const file = join(mkdtempSync(join(tmpdir(), "miniodb-audit-")), "miniodb.log");
    const logger = createNodeLogger({ level: "info", nodeId: "n1", file });
    const audit = createPinoAuditLog(logger.child({ component: "audit" }));
    const startedAt = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    runInRequest(newRequestContext("req-7", "write"), () =>
      audit.record({
        operation: "WriteData",
        keyId: "writer",
        protocol: "rpc",
        tables: ["orders", "token"],
        startedAt,
        durationMs: 1.26,
        outcome: "ok",
      }),
    );
    audit.record({
      operation: "DeleteTable",
      keyId: "anonymous",
      protocol: "rest",
      tables: [],
      startedAt,
      durationMs: 0,
      outcome: "failed_precondition",
    });
    logger.flush();
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    assert.deepEqual(
      { ...lines[0], time: undefined, pid: undefined, hostname: undefined },
      {
        level: "INFO",
        time: undefined,
        pid: undefined,
        hostname: undefined,
        node_id: "n1",
        component: "audit",
        request_id: "req-7",
        audit: true,
        operation: "WriteData",
        key_id: "writer",
        protocol: "rpc",
        tables: ["orders", "token"],
        started_at: "2026-01-02T03:04:05.000Z",
        duration_ms: 1.3,
        outcome: "ok",
        msg: "audit",
      },
    );
    assert.equal(lines[1]!["outcome"], "failed_precondition");
    assert.equal(lines[1]!["request_id"], undefined);
  });
});
