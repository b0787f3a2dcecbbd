import type { Interceptor, StreamResponse, UnaryResponse } from "@connectrpc/connect";
import { context, SpanKind, trace, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import { failSpan } from "./in-span.js";
import { contextFromHeaders, injectTraceHeaders } from "./trace-headers.js";

/**
 * A client span around each internal RPC (query node → worker), whose context travels to the
 * worker in the W3C `traceparent` header.
 */
export function createClientSpanInterceptor(tracer: Tracer): Interceptor {
  return (next) => async (request) => {
    const name = `${request.service.typeName}/${request.method.name}`;
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT });
    // An unsampled span records nothing: its attributes (a count of a row block's lines) are not
    // worth computing.
    if (span.isRecording())
      span.setAttributes({
        ...rpcAttributes(request.service.typeName, request.method.name, request.url),
        ...messageAttributes(request.message),
      });
    injectTraceHeaders(request.header, trace.setSpan(context.active(), span));
    return endWith(span, () => next(request));
  };
}

/**
 * The server side of an internal RPC: a span that continues the caller's trace (from its
 * `traceparent` header) and is active while the worker serves the call, so the worker's own
 * spans (WAL append, flush, object writes) become its children.
 */
export function createServerSpanInterceptor(tracer: Tracer): Interceptor {
  return (next) => async (request) => {
    const name = `${request.service.typeName}/${request.method.name}`;
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, contextFromHeaders(request.header));
    if (span.isRecording())
      span.setAttributes({
        ...rpcAttributes(request.service.typeName, request.method.name),
        ...messageAttributes(request.message),
      });
    return context.with(trace.setSpan(context.active(), span), () => endWith(span, () => next(request)));
  };
}

type AnyResponse = UnaryResponse | StreamResponse;

/** Ends `span` when the call's response (or, for a stream, its last message) is done. */
async function endWith<R extends AnyResponse>(span: Span, call: () => Promise<R>): Promise<R> {
  let response: R;
  try {
    response = await call();
  } catch (error) {
    failSpan(span, error);
    span.end();
    throw error;
  }
  if (!response.stream) {
    if (span.isRecording()) span.setAttributes(messageAttributes(response.message, "response"));
    span.end();
    return response;
  }
  // A streamed response is produced as it is read, outside the call: each message is pulled
  // within the span's context, so spans started while producing it (a worker's fragment steps)
  // are its children.
  const messages = response.message[Symbol.asyncIterator]();
  const spanContext = trace.setSpan(context.active(), span);
  return {
    ...response,
    message: (async function* () {
      let count = 0;
      try {
        for (;;) {
          const next = await context.with(spanContext, () => messages.next());
          if (next.done) break;
          count += 1;
          yield next.value;
        }
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.setAttribute("rpc.messages_received", count);
        span.end();
        await messages.return?.();
      }
    })(),
  };
}

function rpcAttributes(service: string, method: string, url?: string): Attributes {
  const attributes: Attributes = {
    "rpc.system": "connect_rpc",
    "rpc.service": service,
    "rpc.method": method,
  };
  if (url !== undefined) attributes["server.address"] = new URL(url).host;
  return attributes;
}

/** The table and row counts of an internal message, where it has them. */
function messageAttributes(message: unknown, side: "request" | "response" = "request"): Attributes {
  if (typeof message !== "object" || message === null) return {};
  const fields = message as Record<string, unknown>;
  const attributes: Attributes = {};
  if (side === "request" && typeof fields["table"] === "string" && fields["table"] !== "")
    attributes["miniodb.table"] = fields["table"];
  const rows = countOf(fields["rows"]) + countOf(fields["records"]) + blockRowsOf(fields["rowBlock"]);
  if (side === "request" && rows > 0) attributes["miniodb.rows"] = rows;
  if (typeof fields["recordsWritten"] === "bigint")
    attributes["miniodb.rows_written"] = Number(fields["recordsWritten"]);
  return attributes;
}

function countOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** Records in a WriteBatch row block: one per line after the first (see encodeRowBlock). */
function blockRowsOf(value: unknown): number {
  if (!(value instanceof Uint8Array) || value.length === 0) return 0;
  let lines = 0;
  for (let index = value.indexOf(0x0a); index !== -1; index = value.indexOf(0x0a, index + 1)) lines++;
  return lines;
}
