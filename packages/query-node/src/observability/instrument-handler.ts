import { randomUUID } from "node:crypto";
import type { Interceptor } from "@connectrpc/connect";
import { context as otelContext, trace, type Tracer } from "@opentelemetry/api";
import { interceptErrors } from "@miniodb/worker-node";
import type { NodeHandlerFn } from "../server/protocol-server.js";
import { currentRequest, newRequestContext, runInRequest, type RequestContext } from "./request-context.js";
import { requestMethod } from "./request-method.js";
import { endRequestSpan, startRequestSpan } from "./tracing/request-span.js";

/** Header carrying the request id, taken from the client when it sends a sane one. */
export const REQUEST_ID_HEADER = "x-request-id";
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Wraps the node's one request handler: every request gets an id (echoed in `x-request-id`) and a
 * request context that services fill in; when the response ends, `onFinish` is told whether the
 * request succeeded (an HTTP status below 400 and no failed RPC). With a tracer, the request also
 * gets a server span, active while it is served, ended with what the request did.
 */
export function instrumentHandler(
  handler: NodeHandlerFn,
  onFinish: (context: RequestContext, ok: boolean) => void,
  tracer?: Tracer,
): NodeHandlerFn {
  return (request, response) => {
    const sent = request.headers[REQUEST_ID_HEADER];
    const id = typeof sent === "string" && SANE_ID.test(sent) ? sent : randomUUID();
    response.setHeader(REQUEST_ID_HEADER, id);
    const context = newRequestContext(id, requestMethod(request.method, request.url));
    const span = tracer && startRequestSpan(tracer, request, context);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const ok = !context.failed && response.statusCode < 400;
      onFinish(context, ok);
      if (span) endRequestSpan(span, context, ok, response.statusCode, contentLength(request.headers));
    };
    response.once("finish", finish);
    response.once("close", finish);
    if (!span) return void runInRequest(context, () => handler(request, response));
    otelContext.with(trace.setSpan(otelContext.active(), span), () =>
      runInRequest(context, () => handler(request, response)),
    );
  };
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
