import type { IncomingHttpHeaders } from "node:http";
import { SpanKind, SpanStatusCode, type Span, type Tracer } from "@opentelemetry/api";
import type { RequestContext } from "../request-context.js";
import { contextFromNodeHeaders } from "./trace-headers.js";

/** Requests that get no span: scrapes and probes, which arrive every few seconds. */
const UNTRACED_METHODS = new Set(["prometheus", "health"]);

/**
 * Starts the server span of an API request (a child of the caller's span when the request carries
 * a W3C `traceparent`), or returns undefined for requests that are not traced. The span is named
 * after the RPC (`miniodb.v1.MinIODBService/WriteData`) or the REST operation (`POST write`).
 */
export function startRequestSpan(
  tracer: Tracer,
  request: {
    readonly method?: string | undefined;
    readonly url?: string | undefined;
    readonly headers: IncomingHttpHeaders;
  },
  context: RequestContext,
): Span | undefined {
  if (UNTRACED_METHODS.has(context.method)) return undefined;
  const path = (request.url ?? "/").split("?", 1)[0]!;
  const rpc = path.startsWith("/miniodb.") && context.method !== "other";
  const name = rpc ? path.slice(1) : `${request.method ?? "GET"} ${context.method}`;
  const contentType = request.headers["content-type"] ?? "";
  return tracer.startSpan(
    name,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": request.method ?? "GET",
        "url.path": path,
        "miniodb.request_id": context.id,
        "miniodb.method": context.method,
        ...(rpc ? rpcAttributes(path, contentType) : {}),
      },
    },
    contextFromNodeHeaders(request.headers),
  );
}

/**
 * Adds what the request did and its outcome, then ends the span: tables, records written or
 * returned, bytes (of the result when the request noted them, else of the request body), files.
 */
export function endRequestSpan(
  span: Span,
  context: RequestContext,
  ok: boolean,
  statusCode: number,
  requestBytes: number,
): void {
  const tables = [...context.tables];
  span.setAttributes({
    "http.response.status_code": statusCode,
    "miniodb.rows": context.rows,
    "miniodb.bytes": context.bytes > 0 ? context.bytes : requestBytes,
    ...(tables.length > 0 ? { "miniodb.table": tables[0], "miniodb.tables": tables } : {}),
    ...(context.rejected > 0 ? { "miniodb.rejected": context.rejected } : {}),
    ...(context.batches > 0 ? { "miniodb.batches": context.batches } : {}),
    ...(context.filesScanned > 0
      ? { "miniodb.files_scanned": context.filesScanned, "miniodb.objects_fetched": context.objectsFetched }
      : {}),
  });
  if (!ok) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

function rpcAttributes(path: string, contentType: string) {
  const [service, method] = path.slice(1).split("/", 2);
  const system = contentType.startsWith("application/grpc-web")
    ? "grpc_web"
    : contentType.startsWith("application/grpc")
      ? "grpc"
      : "connect_rpc";
  return { "rpc.system": system, "rpc.service": service ?? "", "rpc.method": method ?? "" };
}
