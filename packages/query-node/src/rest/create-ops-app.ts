import { Hono } from "hono";
import type { Logger } from "pino";
import type { StatusService } from "../observability/status-service.js";
import type { HealthCheck } from "../services/health-check.js";
import { addHealthRoute } from "./health-route.js";
import { createRestErrorHandler } from "./rest-errors.js";
import { addStatusRoutes } from "./status-routes.js";

/**
 * The operations routes of a node without the public API (a worker): `GET /metrics`,
 * `/v1/status`, `/v1/metrics`, `/v1/health`, `/v1/health/ready` and `/v1/health/live`.
 */
export function createOpsApp(health: HealthCheck, status: StatusService, logger: Logger): Hono {
  const app = new Hono();
  addHealthRoute(app, health);
  addStatusRoutes(app, status);
  app.onError(createRestErrorHandler(logger));
  return app;
}
