import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "pino";
import { AuthService, MinIODBService } from "@miniodb/proto";
import { MinIODBQueryViewService, MinIODBWriteViewService } from "@miniodb/proto/views";
import type { ApiSecurity } from "../auth/create-api-security.js";
import { createRestApp } from "../rest/create-rest-app.js";
import { createAuthRpcs } from "../rpc/auth-rpcs.js";
import { createErrorInterceptor } from "../rpc/error-interceptor.js";
import { createHealthCheckRpc } from "../rpc/health-rpc.js";
import { createLifecycleRpcs } from "../rpc/lifecycle-rpcs.js";
import { createMetadataBackupRpcs } from "../rpc/metadata-backup-rpcs.js";
import { createMutationRpcs } from "../rpc/mutation-rpcs.js";
import { createQueryRpcs, createQueryViewRpcs } from "../rpc/query-rpcs.js";
import { createStatusRpcs } from "../rpc/status-rpcs.js";
import { createRequestOutcomeInterceptor } from "../observability/instrument-handler.js";
import { createTableRpcs } from "../rpc/table-rpcs.js";
import { createWriteRpcs, createWriteViewRpcs } from "../rpc/write-rpcs.js";
import type { ApiServices } from "./api-services.js";
import { GrpcUnaryLane } from "./grpc-unary-lane.js";
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
 * paths use the public messages, whose JSON form the views lack. Binary gRPC WriteData calls take
 * a shorter lane still (`GrpcUnaryLane`), with the same implementation and interceptors.
 */
export function createRequestHandler(
  services: ApiServices,
  logger: Logger,
  security?: ApiSecurity,
): NodeHandlerFn {
  const routes = (router: ConnectRouter) => {
    router.service(MinIODBService, {
      healthCheck: createHealthCheckRpc(services.health),
      ...createTableRpcs(services.tables),
      ...createWriteRpcs(services.writes, services.nodeId),
      ...createQueryRpcs(services.queries, services.pager, services.maxBatchRecords),
      ...createMutationRpcs(services.mutations, services.nodeId),
      ...(services.status ? createStatusRpcs(services.status) : {}),
      ...createLifecycleRpcs(services.lifecycle),
      ...createMetadataBackupRpcs(services.lifecycle),
    });
    router.service(AuthService, createAuthRpcs(security?.tokens));
  };
  const rest = createRestApp(services, logger, security);
  const options = {
    readMaxBytes: services.maxRequestBytes,
    // The auth interceptor runs inside the error interceptor, so its errors get their codes.
    interceptors: [
      createRequestOutcomeInterceptor(),
      createErrorInterceptor(logger),
      ...(security ? [security.interceptor] : []),
    ],
  };
  const api = connectNodeAdapter({
    ...options,
    routes,
    // Hono's listener takes the same http/http2 request pairs; only its callback typing differs.
    fallback: getRequestListener(rest.fetch) as unknown as NodeHandlerFn,
  });
  const writeViews = createWriteViewRpcs(services.writes, services.nodeId, services.ingestDecoder);
  const views = connectNodeAdapter({
    ...options,
    routes: (router) => {
      router.service(MinIODBWriteViewService, writeViews);
      router.service(
        MinIODBQueryViewService,
        createQueryViewRpcs(services.queries, services.maxBatchRecords),
      );
    },
  });
  const lane = new GrpcUnaryLane({
    specs: [GrpcUnaryLane.spec(MinIODBWriteViewService.method.writeData, writeViews.writeData)],
    interceptors: options.interceptors,
    readMaxBytes: options.readMaxBytes,
  });
  return (request, response) => {
    if (lane.accepts(request)) return void lane.handle(request, response);
    return isBinaryRequest(VIEW_PATHS, request.url, request.headers["content-type"])
      ? views(request, response)
      : api(request, response);
  };
}
