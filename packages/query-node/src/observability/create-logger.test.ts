import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createNodeLogger } from "./create-logger.js";
import { newRequestContext, runInRequest } from "./request-context.js";

describe("createNodeLogger", () => {
  it("redacts secrets, adds the request id inside a request and writes to the file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "miniodb-log-")), "logs", "miniodb.log");
    const logger = createNodeLogger({ level: "info", nodeId: "n1", file });
    const config = {
      metadata: { redis: { password: "hunter2", host: "h" } },
      storage: { s3: { secret_access_key: "s3cr3t", access_key_id: "AKIA", endpoint: "e" } },
    };
    logger.info({ config, headers: { authorization: "Bearer abc.def" } }, "configured");
    runInRequest(newRequestContext("req-1", "query"), () => logger.warn("inside"));
    assert.equal(readFileSync(file, "utf8"), "", "the lines wait for the end of the turn");
    await new Promise((resolve) => setImmediate(resolve));
    const text = readFileSync(file, "utf8");
    for (const secret of ["hunter2", "s3cr3t", "AKIA", "abc.def"]) assert.ok(!text.includes(secret), secret);
    interface Line {
      config?: { metadata: { redis: { password: string; host: string } } };
      node_id?: string;
      request_id?: string;
      level?: string;
    }
    const [first, second] = text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Line);
    assert.equal(first!.config!.metadata.redis.password, "[redacted]");
    assert.equal(first!.config!.metadata.redis.host, "h");
    assert.equal(first!.node_id, "n1");
    assert.equal(first!.request_id, undefined);
    assert.equal(second!.request_id, "req-1");
    assert.equal(second!.level, "WARN");
  });

  it("writes waiting lines at once when many are logged in one turn, and on flush", () => {
    const file = join(mkdtempSync(join(tmpdir(), "miniodb-log-")), "miniodb.log");
    const logger = createNodeLogger({ level: "info", nodeId: "n1", file });
    for (let i = 0; i < 200; i++) logger.info({ i, filler: "x".repeat(100) }, "line");
    const early = readFileSync(file, "utf8").split("\n").filter(Boolean).length;
    assert.ok(early > 0 && early < 200, `${early} of 200 lines written before the end of the turn`);
    logger.info("last");
    logger.flush();
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.equal(lines.length, 201);
    assert.equal((JSON.parse(lines.at(-1)!) as { msg: string }).msg, "last");
  });

  it("writes an error line at once, with the lines waiting before it", () => {
    const file = join(mkdtempSync(join(tmpdir(), "miniodb-log-")), "miniodb.log");
    const logger = createNodeLogger({ level: "info", nodeId: "n1", file });
    logger.info("before");
    assert.equal(readFileSync(file, "utf8"), "");
    logger.error("failed");
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { msg: string }).msg),
      ["before", "failed"],
    );
  });
});
