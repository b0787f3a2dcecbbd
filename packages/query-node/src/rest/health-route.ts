import type { Hono } from "hono";
import type { HealthCheck } from "../services/health-check.js";

/** `GET /v1/health` (public): 200 when healthy, 503 with the same body when not. */
export function addHealthRoute(app: Hono, health: HealthCheck): void {
  app.get("/v1/health", async (context) => {
    const report = await health();
    const body = {
      status: report.status,
      version: report.version,
      timestamp: report.timestamp.toISOString(),
      details: report.details,
    };
    return context.json(body, report.status === "healthy" ? 200 : 503);
  });
}
