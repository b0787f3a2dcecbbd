import { trace, type Tracer } from "@opentelemetry/api";
import type { ByteRange, ObjectInfo, ObjectStore } from "@miniodb/core";
import { inSpan } from "./in-span.js";

/**
 * An ObjectStore that records a span for every object read (`object.get`) and write
 * (`object.put`), with the key and its size, as children of the step that needed them (a query's
 * file fetches, a flush's uploads). Reads and writes outside any span (background jobs such as
 * compaction and backups) are not traced on their own, nor are listing, heads and deletes.
 */
export class TracedObjectStore implements ObjectStore {
  readonly #inner: ObjectStore;
  readonly #tracer: Tracer;

  constructor(inner: ObjectStore, tracer: Tracer) {
    this.#inner = inner;
    this.#tracer = tracer;
  }

  put(key: string, body: Uint8Array): Promise<ObjectInfo> {
    if (!trace.getActiveSpan()) return this.#inner.put(key, body);
    const attributes = { "miniodb.object.key": key, "miniodb.bytes": body.byteLength };
    return inSpan(this.#tracer, "object.put", attributes, () => this.#inner.put(key, body));
  }

  get(key: string, range?: ByteRange): Promise<Uint8Array> {
    if (!trace.getActiveSpan()) return this.#inner.get(key, range);
    return inSpan(this.#tracer, "object.get", { "miniodb.object.key": key }, async (span) => {
      const body = await this.#inner.get(key, range);
      span?.setAttribute("miniodb.bytes", body.byteLength);
      return body;
    });
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.#inner.head(key);
  }

  list(prefix: string): AsyncIterable<ObjectInfo> {
    return this.#inner.list(prefix);
  }

  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** `objects`, traced when there is a tracer. */
export function traceObjectStore(objects: ObjectStore, tracer: Tracer | undefined): ObjectStore {
  return tracer ? new TracedObjectStore(objects, tracer) : objects;
}
