import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import type { FlushOutcome } from "./flush/flusher.js";

/**
 * A `wal.append` span: one write's batch appended to the WAL, until its group commit is fsynced
 * (the moment the write becomes durable). A child of the request being served.
 */
export async function traceWalAppend<T>(
  tracer: Tracer,
  table: string,
  rows: number,
  bytes: number,
  append: () => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan("wal.append", {
    attributes: { "miniodb.table": table, "miniodb.rows": rows, "miniodb.bytes": bytes },
  });
  try {
    return await append();
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A `flush` span: a table's buffered rows written as Parquet, stored and committed; the object
 * writes are its children. A flush the worker starts on its own (size, age, memory) is the root
 * of its own trace rather than a child of whichever write happened to trigger it.
 */
export async function traceFlush(
  tracer: Tracer,
  table: string,
  background: boolean,
  flush: () => Promise<FlushOutcome>,
): Promise<FlushOutcome> {
  const parent = background ? ROOT_CONTEXT : context.active();
  const span = tracer.startSpan(
    "flush",
    { attributes: { "miniodb.table": table, "miniodb.flush.background": background } },
    parent,
  );
  try {
    const outcome = await context.with(trace.setSpan(parent, span), flush);
    span.setAttributes({
      "miniodb.rows": outcome.rows,
      "miniodb.files": outcome.files.length,
      "miniodb.bytes": outcome.files.reduce((sum, file) => sum + file.sizeBytes, 0),
    });
    return outcome;
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A span around one step of serving a request (e.g. `fragment.inputs`, `fragment.run`), a child
 * of the active span; without a tracer, just runs `step`.
 */
export async function traceStep<T>(
  tracer: Tracer | undefined,
  name: string,
  attributes: Record<string, string | number>,
  step: () => Promise<T>,
): Promise<T> {
  if (!tracer) return step();
  const span = tracer.startSpan(name, { attributes });
  try {
    return await context.with(trace.setSpan(context.active(), span), step);
  } catch (error) {
    fail(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function fail(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
