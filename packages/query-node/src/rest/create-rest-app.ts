import { Hono } from "hono";
import type { Logger } from "pino";
import { MiniodbError } from "@miniodb/core";
import type { HealthCheck } from "../services/health-check.js";
import { addHealthRoute } from "./health-route.js";
import { createRestErrorHandler, restErrorBody } from "./rest-errors.js";

export interface RestAppOptions {
  readonly health: HealthCheck;
  readonly logger: Logger;
}

/** The REST API of the original (`/v1/...`), JSON with snake_case keys. */
export function createRestApp({ health, logger }: RestAppOptions): Hono {
  const app = new Hono();
  addHealthRoute(app, health);
  app.notFound((context) => {
    const error = new MiniodbError("not_found", `no route for ${context.req.method} ${context.req.path}`);
    return context.json(restErrorBody(error), 404);
  });
  app.onError(createRestErrorHandler(logger));
  return app;
}
