import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { Interceptor } from "@connectrpc/connect";
import { context as otelContext, trace, type Tracer } from "@opentelemetry/api";
import { interceptErrors } from "@miniodb/worker-node";
import type { NodeHandlerFn, RequestHandler } from "../server/protocol-server.js";
import { currentRequest, newRequestContext, runInRequest, type RequestContext } from "./request-context.js";
import { requestMethod } from "./request-method.js";
import { endRequestSpan, startRequestSpan } from "./tracing/request-span.js";

/** Header carrying the request id, taken from the client when it sends a sane one. */
export const REQUEST_ID_HEADER = "x-request-id";
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Wraps the node's request handler (and its HTTP/2 stream lane): every request gets an id (echoed
 * in `x-request-id`) and a request context that services fill in; when the response ends,
 * `onFinish` is told whether the request succeeded (an HTTP status below 400 and no failed RPC).
 * With a tracer, the request also gets a server span, active while it is served, ended with what
 * the request did.
 */
export function instrumentHandler(
  { handler, streams }: RequestHandler,
  onFinish: (context: RequestContext, ok: boolean) => void,
  tracer?: Tracer,
): RequestHandler {
  const start = (request: RequestLike) => {
    const sent = request.headers[REQUEST_ID_HEADER];
    const id = typeof sent === "string" && SANE_ID.test(sent) ? sent : randomUUID();
    const context = newRequestContext(id, requestMethod(request.method, request.url));
    const span = tracer && startRequestSpan(tracer, request, context);
    let finished = false;
    const finish = (statusCode: number, rpcFailed = false) => {
      if (finished) return;
      finished = true;
      const ok = !context.failed && !rpcFailed && statusCode < 400;
      onFinish(context, ok);
      if (span) endRequestSpan(span, context, ok, statusCode, contentLength(request.headers));
    };
    const run = (serve: () => void) => {
      if (!span) return void runInRequest(context, serve);
      otelContext.with(trace.setSpan(otelContext.active(), span), () => runInRequest(context, serve));
    };
    return { id, finish, run };
  };
  const instrumented: NodeHandlerFn = (request, response) => {
    const { id, finish, run } = start(request);
    response.setHeader(REQUEST_ID_HEADER, id);
    const grpcStatus = watchGrpcStatus(request.headers, response);
    const finishResponse = () => finish(response.statusCode, isFailedGrpcStatus(grpcStatus()));
    response.once("finish", finishResponse);
    response.once("close", finishResponse);
    run(() => handler(request, response));
  };
  if (!streams) return { handler: instrumented };
  return {
    handler: instrumented,
    streams: {
      accepts: (headers) => streams.accepts(headers),
      serve(stream, headers, responseHeaders) {
        const { id, finish, run } = start({ method: headers[":method"], url: headers[":path"], headers });
        // The lane always answers with HTTP status 200; a failed call is a failed context.
        stream.once("close", () => finish(200));
        run(() => streams.serve(stream, headers, { ...responseHeaders, [REQUEST_ID_HEADER]: id }));
      },
    },
  };
}

/** The part of a response the gRPC status is read from. */
interface GrpcResponse {
  getHeader(name: string): unknown;
  addTrailers(headers: OutgoingHttpHeaders): void;
}

/**
 * For a gRPC request, what tells the call's status once the response ended: the `grpc-status`
 * trailer, or the header of a trailers-only answer. Calls the handler refuses before the
 * interceptors run (a malformed envelope or timeout, an unknown encoding) fail only there, with
 * HTTP status 200.
 */
function watchGrpcStatus(headers: IncomingHttpHeaders, response: GrpcResponse): () => unknown {
  if (!headers["content-type"]?.toLowerCase().startsWith("application/grpc")) return () => undefined;
  let trailer: unknown;
  const addTrailers = response.addTrailers.bind(response);
  response.addTrailers = (trailers) => {
    trailer = trailers["grpc-status"] ?? trailer;
    addTrailers(trailers);
  };
  return () => trailer ?? response.getHeader("grpc-status");
}

/**
 * Not OK (0), CANCELLED (1) or DEADLINE_EXCEEDED (4): as in the interceptor, a call the client
 * cancelled or let time out (its signal aborted) is not a failure of the server's.
 */
function isFailedGrpcStatus(status: unknown): boolean {
  return status !== undefined && !["0", "1", "4"].includes(String(status));
}

/** What instrumenting needs of a request: its method, path and headers. */
interface RequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

function contentLength(headers: { "content-length"?: string | undefined }): number {
  const length = Number(headers["content-length"] ?? 0);
  return Number.isFinite(length) ? length : 0;
}

/**
 * Marks the current request failed when an RPC throws (gRPC reports failures in trailers, with
 * HTTP status 200). A call the client cancelled is not a failure of the server's.
 */
export function createRequestOutcomeInterceptor(): Interceptor {
  const fail = (signal: AbortSignal) => {
    const context = currentRequest();
    if (context && !signal.aborted) context.failed = true;
  };
  return (next) => (request) =>
    interceptErrors(
      () => next(request),
      (error) => {
        fail(request.signal);
        return error;
      },
    );
}
