import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "pino";
import { AuthService, MinIODBService } from "@miniodb/proto";
import { MinIODBQueryViewService, MinIODBWriteViewService } from "@miniodb/proto/views";
import { createRestApp } from "../rest/create-rest-app.js";
import { createErrorInterceptor } from "../rpc/error-interceptor.js";
import { createHealthCheckRpc } from "../rpc/health-rpc.js";
import { createLifecycleRpcs } from "../rpc/lifecycle-rpcs.js";
import { createMetadataBackupRpcs } from "../rpc/metadata-backup-rpcs.js";
import { createMutationRpcs } from "../rpc/mutation-rpcs.js";
import { createQueryRpcs, createQueryViewRpcs } from "../rpc/query-rpcs.js";
import { createTableRpcs } from "../rpc/table-rpcs.js";
import { createWriteRpcs, createWriteViewRpcs } from "../rpc/write-rpcs.js";
import type { ApiServices } from "./api-services.js";
import { isBinaryRequest } from "./is-binary-request.js";
import type { NodeHandlerFn } from "./protocol-server.js";

/** RPC paths served through the views when the request is binary (protobuf). */
const VIEW_PATHS = new Set(
  [MinIODBService.method.writeData, MinIODBService.method.streamWrite, MinIODBService.method.streamQuery].map(
    (method) => `/${MinIODBService.typeName}/${method.name}`,
  ),
);

/**
 * The one handler every port serves: gRPC, gRPC-web and Connect for the RPC paths
 * (`/miniodb.v1.MinIODBService/...`), the REST API (`/v1/...`) for everything else. RPCs that are
 * not implemented yet answer `unimplemented`.
 *
 * Binary WriteData, StreamWrite and StreamQuery calls go to a second Connect handler built on the
 * views of `miniodb.views.v1`: write payloads stay encoded Struct bytes (`MinIODBWriteViewService`)
 * and streamed records are written as bytes (`MinIODBQueryViewService`). JSON calls to the same
 * paths use the public messages, whose JSON form the views lack.
 */
export function createRequestHandler(services: ApiServices, logger: Logger): NodeHandlerFn {
  const routes = (router: ConnectRouter) => {
    router.service(MinIODBService, {
      healthCheck: createHealthCheckRpc(services.health),
      ...createTableRpcs(services.tables),
      ...createWriteRpcs(services.writes, services.nodeId),
      ...createQueryRpcs(services.queries, services.pager, services.maxBatchRecords),
      ...createMutationRpcs(services.mutations, services.nodeId),
      ...createLifecycleRpcs(services.lifecycle),
      ...createMetadataBackupRpcs(services.lifecycle),
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
  const views = connectNodeAdapter({
    ...options,
    routes: (router) => {
      router.service(MinIODBWriteViewService, createWriteViewRpcs(services.writes, services.nodeId));
      router.service(
        MinIODBQueryViewService,
        createQueryViewRpcs(services.queries, services.maxBatchRecords),
      );
    },
  });
  return (request, response) =>
    isBinaryRequest(VIEW_PATHS, request.url, request.headers["content-type"])
      ? views(request, response)
      : api(request, response);
}
