import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "pino";
import { AuthService, MinIODBService } from "@miniodb/proto";
import { MinIODBWriteViewService } from "@miniodb/proto/views";
import { createRestApp } from "../rest/create-rest-app.js";
import { createErrorInterceptor } from "../rpc/error-interceptor.js";
import { createHealthCheckRpc } from "../rpc/health-rpc.js";
import { createTableRpcs } from "../rpc/table-rpcs.js";
import { createWriteRpcs, createWriteViewRpcs } from "../rpc/write-rpcs.js";
import type { ApiServices } from "./api-services.js";
import { isBinaryWrite } from "./is-binary-write.js";
import type { NodeHandlerFn } from "./protocol-server.js";

/**
 * The one handler every port serves: gRPC, gRPC-web and Connect for the RPC paths
 * (`/miniodb.v1.MinIODBService/...`), the REST API (`/v1/...`) for everything else. RPCs that are
 * not implemented yet answer `unimplemented`.
 *
 * Binary WriteData and StreamWrite requests go to a second Connect handler that decodes them with
 * the write views (payloads stay encoded Struct bytes; see `MinIODBWriteViewService`). JSON
 * requests to the same paths decode as the public messages, whose JSON form the views lack.
 */
export function createRequestHandler(services: ApiServices, logger: Logger): NodeHandlerFn {
  const routes = (router: ConnectRouter) => {
    router.service(MinIODBService, {
      healthCheck: createHealthCheckRpc(services.health),
      ...createTableRpcs(services.tables),
      ...createWriteRpcs(services.writes, services.nodeId),
    });
    router.service(AuthService, {});
  };
  const rest = createRestApp(services, logger);
  const options = {
    readMaxBytes: services.maxRequestBytes,
    interceptors: [createErrorInterceptor(logger)],
  };
  const api = connectNodeAdapter({
    ...options,
    routes,
    // Hono's listener takes the same http/http2 request pairs; only its callback typing differs.
    fallback: getRequestListener(rest.fetch) as unknown as NodeHandlerFn,
  });
  const writeViews = connectNodeAdapter({
    ...options,
    routes: (router) =>
      router.service(MinIODBWriteViewService, createWriteViewRpcs(services.writes, services.nodeId)),
  });
  return (request, response) =>
    isBinaryWrite(request.url, request.headers["content-type"])
      ? writeViews(request, response)
      : api(request, response);
}
