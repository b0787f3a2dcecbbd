import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { MiniodbError } from "@miniodb/core";
import { createHealthCheck } from "../services/health-check.js";
import { createRestApp } from "./create-rest-app.js";

const logger = pino({ level: "silent" });

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
    const response = await createRestApp({ health, logger }).request("/v1/health");
    assert.equal(response.status, 503);
    const body = (await response.json()) as { status: string; details: Record<string, string> };
    assert.equal(body.status, "unhealthy");
    assert.equal(body.details["storage"], "down");
  });

  it("maps thrown MiniodbErrors to their HTTP status and hides internal messages", async () => {
    const health = createHealthCheck({ nodeId: "n", mode: "m", version: "1" });
    const app = createRestApp({ health, logger });
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
