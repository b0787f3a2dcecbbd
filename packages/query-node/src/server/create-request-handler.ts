import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "pino";
import { AuthService, MinIODBService } from "@miniodb/proto";
import { createRestApp } from "../rest/create-rest-app.js";
import { createErrorInterceptor } from "../rpc/error-interceptor.js";
import { createHealthCheckRpc } from "../rpc/health-rpc.js";
import type { HealthCheck } from "../services/health-check.js";
import type { NodeHandlerFn } from "./protocol-server.js";

export interface RequestHandlerOptions {
  readonly health: HealthCheck;
  readonly logger: Logger;
}

/**
 * The one handler every port serves: gRPC, gRPC-web and Connect for the RPC paths
 * (`/miniodb.v1.MinIODBService/...`), the REST API (`/v1/...`) for everything else. RPCs that are
 * not implemented yet answer `unimplemented`.
 */
export function createRequestHandler({ health, logger }: RequestHandlerOptions): NodeHandlerFn {
  const routes = (router: ConnectRouter) => {
    router.service(MinIODBService, { healthCheck: createHealthCheckRpc(health) });
    router.service(AuthService, {});
  };
  const rest = createRestApp({ health, logger });
  return connectNodeAdapter({
    routes,
    interceptors: [createErrorInterceptor(logger)],
    // Hono's listener takes the same http/http2 request pairs; only its callback typing differs.
    fallback: getRequestListener(rest.fetch) as unknown as NodeHandlerFn,
  });
}
