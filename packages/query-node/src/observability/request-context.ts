import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What one API request did, filled in by the services it calls and read once it finishes (for
 * metrics, the slow-query log and trace attributes). Counts are of records.
 */
export interface RequestContext {
  readonly id: string;
  /** Short operation name (`write`, `query`, `stream_query`, …); see request-method.ts. */
  readonly method: string;
  readonly startedAt: bigint;
  /** Tables the request named or read, in order of first mention. */
  readonly tables: Set<string>;
  /** Records written, updated, deleted or returned. */
  rows: number;
  /** Records refused (invalid) within an otherwise accepted batch. */
  rejected: number;
  /** Stream messages sent (StreamQuery batches). */
  batches: number;
  /** Request or result bytes, where known. */
  bytes: number;
  /** Data files the request's queries scanned, and how many of them were fetched from the store. */
  filesScanned: number;
  objectsFetched: number;
  /** SQL of a query, for the slow-query log. */
  sql: string | undefined;
  /** Set by the RPC edge when a call fails (gRPC failures keep HTTP status 200). */
  failed: boolean;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function newRequestContext(id: string, method: string): RequestContext {
  return {
    id,
    method,
    startedAt: process.hrtime.bigint(),
    tables: new Set(),
    rows: 0,
    rejected: 0,
    batches: 0,
    bytes: 0,
    filesScanned: 0,
    objectsFetched: 0,
    sql: undefined,
    failed: false,
  };
}

/** Runs `work` (and everything it starts) with `context` as the current request. */
export function runInRequest<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The request the caller is serving, if any (background work has none). */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Adds facts to the current request; a no-op outside a request. */
export function noteRequest(facts: {
  readonly table?: string;
  readonly tables?: Iterable<string>;
  readonly rows?: number;
  readonly rejected?: number;
  readonly batches?: number;
  readonly bytes?: number;
  readonly filesScanned?: number;
  readonly objectsFetched?: number;
  readonly sql?: string;
}): void {
  const context = storage.getStore();
  if (!context) return;
  if (facts.table !== undefined) context.tables.add(facts.table);
  for (const table of facts.tables ?? []) context.tables.add(table);
  context.rows += facts.rows ?? 0;
  context.rejected += facts.rejected ?? 0;
  context.batches += facts.batches ?? 0;
  context.bytes += facts.bytes ?? 0;
  context.filesScanned += facts.filesScanned ?? 0;
  context.objectsFetched += facts.objectsFetched ?? 0;
  if (facts.sql !== undefined) context.sql ??= facts.sql;
}
