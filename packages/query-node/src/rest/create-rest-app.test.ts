import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { MiniodbError } from "@miniodb/core";
import type { ApiServices } from "../server/api-services.js";
import { createHealthCheck, type HealthCheck } from "../services/health-check.js";
import { createRestApp } from "./create-rest-app.js";

const logger = pino({ level: "silent" });

/** Only the health route is exercised here; table and write routes have end-to-end tests. */
function servicesWith(health: HealthCheck): ApiServices {
  return {
    nodeId: "n",
    health,
    tables: {} as never,
    writes: {} as never,
    queries: {} as never,
    pager: {} as never,
    mutations: {} as never,
    maxBatchRecords: 10,
    maxRequestBytes: 1024,
  };
}

describe("REST app", () => {
  it("answers 503 with the report when the node is unhealthy", async () => {
    const health = createHealthCheck({
      nodeId: "n",
      mode: "all-in-one",
      version: "1",
      probes: {
        storage: async () => {
          throw new Error("down");
        },
      },
    });
    const response = await createRestApp(servicesWith(health), logger).request("/v1/health");
    assert.equal(response.status, 503);
    const body = (await response.json()) as { status: string; details: Record<string, string> };
    assert.equal(body.status, "unhealthy");
    assert.equal(body.details["storage"], "down");
  });

  it("refuses bodies over the limit with 413", async () => {
    const health = createHealthCheck({ nodeId: "n", mode: "m", version: "1" });
    const response = await createRestApp(servicesWith(health), logger).request("/v1/data", {
      method: "POST",
      body: "x".repeat(2048),
      headers: { "content-type": "application/json" },
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, "payload_too_large");
  });

  it("maps thrown MiniodbErrors to their HTTP status and hides internal messages", async () => {
    const health = createHealthCheck({ nodeId: "n", mode: "m", version: "1" });
    const app = createRestApp(servicesWith(health), logger);
    app.get("/boom/:code", (context) => {
      const code = context.req.param("code");
      if (code === "bug") throw new TypeError("secret detail");
      throw new MiniodbError(code as "not_found", "thing is missing", { details: { table: "t" } });
    });
    const cases: Array<[string, number, string]> = [
      ["not_found", 404, "thing is missing"],
      ["invalid_argument", 400, "thing is missing"],
      ["payload_too_large", 413, "thing is missing"],
      ["unavailable", 503, "thing is missing"],
      ["bug", 500, "internal error"],
    ];
    for (const [code, status, message] of cases) {
      const response = await app.request(`/boom/${code}`);
      assert.equal(response.status, status, code);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.message, message, code);
      assert.equal(body.error.code, code === "bug" ? "internal" : code);
    }
  });
});
