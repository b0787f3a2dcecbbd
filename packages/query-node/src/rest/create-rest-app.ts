import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import { MiniodbError } from "@miniodb/core";
import type { ApiSecurity } from "../auth/create-api-security.js";
import type { ApiServices } from "../server/api-services.js";
import { addAuthRoutes } from "./auth-routes.js";
import { addDataRestoreRoutes } from "./data-restore-routes.js";
import { InlineDecoder } from "../decode/decode-thread-client.js";
import { addDataRoutes } from "./data-routes.js";
import { addHealthRoute } from "./health-route.js";
import { addLifecycleRoutes } from "./lifecycle-routes.js";
import { addMetadataBackupRoutes } from "./metadata-backup-routes.js";
import { addMutationRoutes } from "./mutation-routes.js";
import { addQueryRoutes } from "./query-routes.js";
import { addStatusRoutes } from "./status-routes.js";
import { createRestErrorHandler, restErrorBody } from "./rest-errors.js";
import { addTableRoutes } from "./table-routes.js";

/** The REST API of the original (`/v1/...`), JSON with snake_case keys. */
export function createRestApp(services: ApiServices, logger: Logger, security?: ApiSecurity): Hono {
  const app = new Hono();
  app.use(
    bodyLimit({
      maxSize: services.maxRequestBytes,
      onError: () => {
        throw new MiniodbError(
          "payload_too_large",
          `the request body is larger than ${services.maxRequestBytes} bytes (limits.max_request_bytes)`,
        );
      },
    }),
  );
  // Authentication, roles, table allow-lists, rate limits and audit: see auth/access-policy.ts.
  if (security) app.use(security.middleware);
  addAuthRoutes(app, security?.tokens);
  addHealthRoute(app, services.health);
  addTableRoutes(app, services.tables);
  addDataRoutes(app, services.writes, services.nodeId, services.ingestDecoder ?? new InlineDecoder());
  addMutationRoutes(app, services.mutations, services.nodeId);
  addQueryRoutes(app, services.pager);
  if (services.status) addStatusRoutes(app, services.status);
  addLifecycleRoutes(app, services.lifecycle);
  addMetadataBackupRoutes(app, services.lifecycle);
  addDataRestoreRoutes(app, services.lifecycle);
  app.notFound((context) => {
    const error = new MiniodbError("not_found", `no route for ${context.req.method} ${context.req.path}`);
    return context.json(restErrorBody(error), 404);
  });
  app.onError(createRestErrorHandler(logger));
  return app;
}
