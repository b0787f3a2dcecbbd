import type { IncomingHttpHeaders } from "node:http";
import {
  context,
  ROOT_CONTEXT,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

/** W3C Trace Context (`traceparent`, `tracestate`): how a span's context crosses a process. */
const propagator = new W3CTraceContextPropagator();

const nodeHeaders: TextMapGetter<IncomingHttpHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headers[key],
};

const webHeaders: TextMapGetter<Headers> & TextMapSetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
  set: (headers, key, value) => headers.set(key, value),
};

/** The caller's span context from an incoming HTTP request's headers (root when none). */
export function contextFromNodeHeaders(headers: IncomingHttpHeaders): Context {
  return propagator.extract(ROOT_CONTEXT, headers, nodeHeaders);
}

/** The caller's span context from an RPC's request headers (root when none). */
export function contextFromHeaders(headers: Headers): Context {
  return propagator.extract(ROOT_CONTEXT, headers, webHeaders);
}

/** Writes `spanContext` (default: the active one) into outgoing request headers. */
export function injectTraceHeaders(headers: Headers, spanContext: Context = context.active()): void {
  propagator.inject(spanContext, headers, webHeaders);
}
