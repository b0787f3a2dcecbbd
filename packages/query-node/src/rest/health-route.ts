import type { Hono } from "hono";
import type { HealthCheck, HealthReport } from "../services/health-check.js";

/**
 * Health (public):
 * - `GET /v1/health`: every component probed now; 200 when healthy or degraded (still serving),
 *   503 with the same body when unhealthy.
 * - `GET /v1/health/ready`: readiness for a load balancer or orchestrator, same rule and status.
 * - `GET /v1/health/live`: liveness, 200 while the process answers at all (no dependency checked:
 *   restarting a node does not bring a stopped Redis back).
 */
export function addHealthRoute(app: Hono, health: HealthCheck): void {
  app.get("/v1/health", async (context) => {
    const report = await health();
    return context.json(healthBody(report), report.status === "unhealthy" ? 503 : 200);
  });
  app.get("/v1/health/ready", async (context) => {
    const report = await health();
    const ready = report.status !== "unhealthy";
    return context.json({ ready, ...healthBody(report) }, ready ? 200 : 503);
  });
  app.get("/v1/health/live", (context) =>
    context.json({
      status: "alive",
      timestamp: new Date().toISOString(),
      uptime_seconds: Math.floor(process.uptime()),
    }),
  );
}

function healthBody(report: HealthReport) {
  return {
    status: report.status,
    version: report.version,
    timestamp: report.timestamp.toISOString(),
    details: report.details,
    components: Object.fromEntries(
      report.components.map((component) => [
        component.name,
        { status: component.ok ? "ok" : "down", detail: component.detail, latency_ms: component.latencyMs },
      ]),
    ),
  };
}
