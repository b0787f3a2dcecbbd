import type { Logger } from "pino";
import type { MiniodbMetrics } from "./miniodb-metrics.js";
import type { RequestContext } from "./request-context.js";
import type { RequestWindow } from "./request-window.js";

export interface RequestRecorderOptions {
  readonly metrics: MiniodbMetrics;
  readonly window: RequestWindow;
  readonly logger: Logger;
  /** Queries taking at least this long are logged at warn level. */
  readonly slowQueryMs: number;
}

const QUERY_METHODS = new Set(["query", "stream_query"]);

/**
 * Turns a finished request into metrics and log lines: the request counter and histogram, the
 * per-operation counters of the original's documentation, the recent-outcome window, and the
 * query log (every query at debug, slow ones at warn).
 */
export function createRequestRecorder({ metrics, window, logger, slowQueryMs }: RequestRecorderOptions) {
  return (context: RequestContext, ok: boolean): void => {
    const seconds = Number(process.hrtime.bigint() - context.startedAt) / 1e9;
    const status = ok ? "success" : "error";
    const tables = [...context.tables];
    const table = tables[0] ?? "";
    const { method } = context;
    metrics.requests.add(1, { method, status, table });
    metrics.requestDuration.record(seconds, { method, table });
    recordOperation(metrics, context, status, tables);
    if (method !== "prometheus" && method !== "metrics" && method !== "status" && method !== "health")
      window.record(
        (tables.length > 0 ? tables : [""]).map((name) => `${method}|${name}`),
        ok,
        method,
        seconds,
      );
    if (QUERY_METHODS.has(method)) logQuery(logger, context, ok, seconds * 1000, slowQueryMs);
  };
}

function recordOperation(
  metrics: MiniodbMetrics,
  context: RequestContext,
  status: string,
  tables: readonly string[],
): void {
  const table = tables[0] ?? "";
  switch (context.method) {
    case "write":
    case "stream_write": {
      const refused =
        context.rejected + (status === "error" && context.rows === 0 && context.rejected === 0 ? 1 : 0);
      metrics.writeOperations.add(context.rows, { table, status: "success" });
      if (refused > 0) metrics.writeOperations.add(refused, { table, status: "error" });
      if (context.method === "stream_write") {
        metrics.streamWriteRecords.add(context.rows, { table, status: "success" });
        if (refused > 0) metrics.streamWriteRecords.add(refused, { table, status: "error" });
      }
      return;
    }
    case "update":
      metrics.updateOperations.add(1, { table, status });
      return;
    case "delete":
      metrics.deleteOperations.add(1, { table, status });
      return;
    case "query":
    case "stream_query": {
      for (const name of tables.length > 0 ? tables : [""])
        metrics.queryOperations.add(1, { table: name, status });
      metrics.queryObjectsFetched.record(context.objectsFetched, { table });
      metrics.queryFilesScanned.record(context.filesScanned, { table });
      if (context.method === "stream_query") {
        metrics.streamQueryBatches.add(context.batches, { table, status });
        metrics.streamQueryRecords.add(context.rows, { table });
      }
      return;
    }
  }
}

function logQuery(
  logger: Logger,
  context: RequestContext,
  ok: boolean,
  ms: number,
  slowQueryMs: number,
): void {
  const fields = {
    request_id: context.id,
    method: context.method,
    tables: [...context.tables],
    sql: context.sql,
    duration_ms: Math.round(ms * 10) / 10,
    rows: context.rows,
    files_scanned: context.filesScanned,
    objects_fetched: context.objectsFetched,
    ok,
  };
  const message = `query duration ${fields.duration_ms} ms`;
  if (ms >= slowQueryMs) logger.warn({ ...fields, slow: true }, `slow query: ${message}`);
  else logger.debug(fields, message);
}
