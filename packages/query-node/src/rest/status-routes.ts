import type { Hono } from "hono";
import { PROMETHEUS_CONTENT_TYPE } from "../observability/prometheus-registry.js";
import type { StatusService } from "../observability/status-service.js";

/**
 * `GET /v1/status` (GetStatus, with the components behind it), `GET /v1/metrics` (GetMetrics
 * JSON) and `GET /metrics` (Prometheus text format).
 */
export function addStatusRoutes(app: Hono, status: StatusService): void {
  app.get("/v1/status", async (context) => {
    const report = await status.status();
    return context.json({ ...report, timestamp: report.timestamp.toISOString() });
  });
  app.get("/v1/metrics", async (context) => {
    const report = await status.metrics();
    return context.json({ ...report, timestamp: report.timestamp.toISOString() });
  });
  app.get("/metrics", async (context) => {
    const text = await status.scrape();
    return context.body(text, 200, { "content-type": PROMETHEUS_CONTENT_TYPE });
  });
}
