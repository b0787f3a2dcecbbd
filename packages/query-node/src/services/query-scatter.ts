import type { EngineSession } from "@miniodb/executor";
import type { TableRead } from "./query-sources.js";

/** A checked query to run across the nodes that hold its tables' data. */
export interface ScatterRequest {
  readonly sql: string;
  /** DuckDB's parse tree of `sql` (json_serialize_sql). */
  readonly tree: unknown;
  readonly tables: readonly TableRead[];
  /** The query's own directory for received data, inside the engine's allowed directory. */
  readonly directory: string;
}

/** What a session needs to answer a scattered query. */
export interface ScatteredQuery {
  /** The statement to run on the session instead of the query's SQL (it returns the same result). */
  readonly statement: string;
  /** Drops the query's views and files; idempotent. */
  close(): Promise<void>;
}

/**
 * Runs the part of a query that reads data on other nodes and prepares the session to finish it:
 * a cluster's query node asks its workers to scan (ClusterQueryScatter). Without one, or when it
 * answers undefined (no worker to ask), the query node reads every file itself.
 */
export interface QueryScatter {
  open(session: EngineSession, request: ScatterRequest): Promise<ScatteredQuery | undefined>;
}
