import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { MetadataStore, TableEntry } from "@miniodb/core";
import {
  checkReadOnlyQuery,
  queryScanRanges,
  tableViewStatement,
  type DuckDbEngine,
  type EngineSession,
  type ObjectFileCache,
  dropTableViewStatement,
  type ColumnBatch,
  type SessionLease,
  type TableViewSource,
} from "@miniodb/executor";
import { gatherQuerySources, type BufferSource, type TableRead } from "./query-sources.js";
import type { QueryScatter } from "./query-scatter.js";
import { noteRequest } from "../observability/request-context.js";

export interface QueryServiceOptions {
  readonly metadata: MetadataStore;
  readonly engine: DuckDbEngine;
  readonly cache: ObjectFileCache;
  readonly buffers: BufferSource;
  /** Per-query files (buffered rows, tombstones); inside the engine's allowed directory. */
  readonly scratchDirectory: string;
  /** Longest row line of buffered rows, in bytes. */
  readonly maxLineBytes: number;
  /** Runs queries' reads on other nodes (a cluster's workers); without it this node reads everything. */
  readonly scatter?: QueryScatter | undefined;
}

/** A query ready to run: `statement` on `session` answers it. */
interface OpenQuery {
  readonly session: EngineSession;
  readonly statement: string;
  close(): Promise<void>;
}

/**
 * Runs read-only SQL over the tables: checks the statement with DuckDB's parser, gathers every
 * referenced table's files, unflushed rows and tombstones, and runs the statement on one engine
 * session over temporary views named after the tables.
 */
export class QueryService {
  readonly #options: QueryServiceOptions;

  constructor(options: QueryServiceOptions) {
    this.#options = options;
  }

  /**
   * Runs `work` on a session where `sql` has been checked and `statement` answers it (the SQL
   * itself over views named after its tables, or, in a cluster, a statement over what the workers
   * returned). Throws invalid_argument for SQL that is not a single read statement over known tables.
   */
  async withQuery<T>(
    sql: string,
    work: (session: EngineSession, statement: string) => Promise<T>,
  ): Promise<T> {
    const query = await this.#openQuery(sql);
    try {
      return await work(query.session, query.statement);
    } finally {
      await query.close();
    }
  }

  /** Like withQuery, for statements the server builds itself over known tables. */
  async withTables<T>(
    tables: readonly TableRead[],
    work: (session: EngineSession) => Promise<T>,
  ): Promise<T> {
    const query = await this.#open(tables);
    try {
      return await work(query.session);
    } finally {
      await query.close();
    }
  }

  /**
   * The rows of `sql` by column, chunk by chunk as DuckDB produces them, holding the query's
   * session and files until the consumer finishes or stops early; memory stays at about one chunk.
   */
  async *stream(sql: string, signal?: AbortSignal): AsyncGenerator<ColumnBatch> {
    const query = await this.#openQuery(sql);
    // A client that goes away may leave this generator suspended at a yield for good (it is then
    // never resumed or returned): the abort stops DuckDB and releases the session and files.
    const onAbort = () => {
      query.session.interrupt();
      void query.close();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      if (signal?.aborted) return;
      yield* query.session.streamColumns(query.statement);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await query.close();
    }
  }

  /** Checks `sql` and opens it: scattered to the workers when there are any, else read here. */
  async #openQuery(sql: string): Promise<OpenQuery> {
    const { tables, tree } = await this.#checked(sql);
    const scatter = this.#options.scatter;
    if (!scatter) return { ...(await this.#open(tables)), statement: sql };
    const lease = await this.#options.engine.lease();
    try {
      const scattered = await scatter.open(lease.session, {
        sql,
        tree,
        tables,
        directory: join(this.#options.scratchDirectory, randomUUID()),
      });
      if (!scattered) {
        lease.release();
        return { ...(await this.#open(tables)), statement: sql };
      }
      let closed: Promise<void> | undefined;
      const close = () => (closed ??= scattered.close().finally(() => lease.release()));
      return { session: lease.session, statement: scattered.statement, close };
    } catch (error) {
      lease.release();
      throw error;
    }
  }

  /**
   * Gathers the tables' files, leases a session and creates the views; `close` (idempotent)
   * undoes it all.
   */
  async #open(tables: readonly TableRead[]) {
    const { engine, scratchDirectory } = this.#options;
    const sources = await gatherQuerySources(this.#options, tables, join(scratchDirectory, randomUUID()));
    let lease: SessionLease | undefined;
    let closed: Promise<void> | undefined;
    const close = () =>
      (closed ??= (async () => {
        if (lease) {
          await dropViews(lease.session, sources.views);
          lease.release();
        }
        await sources.close();
      })());
    try {
      lease = await engine.lease();
      await createViews(lease.session, sources.views);
      return { session: lease.session, close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  /** The names of the tables `sql` reads, as the SQL guard admits it (invalid_argument otherwise). */
  async tablesOf(sql: string): Promise<string[]> {
    return (await this.#checked(sql)).tables.map((table) => table.entry.name);
  }

  /**
   * The tables `sql` reads, each with the range its WHERE clauses allow (for file pruning), and
   * its parse tree.
   */
  async #checked(sql: string): Promise<{ tables: TableRead[]; tree: unknown }> {
    const { engine, metadata } = this.#options;
    const [tree, entries] = await Promise.all([engine.parse(sql), metadata.listTables()]);
    const { tables } = checkReadOnlyQuery(
      tree,
      entries.map((entry) => entry.name),
    );
    noteRequest({ tables, sql });
    const ranges = queryScanRanges(tree, tables);
    const byName = new Map<string, TableEntry>(entries.map((entry) => [entry.name, entry]));
    return {
      tables: tables.map((name) => ({ entry: byName.get(name)!, range: ranges.get(name.toLowerCase()) })),
      tree,
    };
  }
}

/** Creates the query's views in one round trip. */
async function createViews(session: EngineSession, views: readonly TableViewSource[]): Promise<void> {
  if (views.length > 0) await session.run(views.map(tableViewStatement).join(";\n"));
}

/**
 * Drops the query's views before the connection goes back to the pool (the guard already stops
 * queries from naming anything but their own tables; this keeps a pooled connection clean).
 */
async function dropViews(session: EngineSession, views: readonly TableViewSource[]): Promise<void> {
  if (views.length === 0) return;
  await session
    .run(views.map((view) => dropTableViewStatement(view.name)).join(";\n"))
    .catch(() => undefined);
}
