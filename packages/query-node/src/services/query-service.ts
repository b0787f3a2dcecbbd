import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { MetadataStore, TableEntry } from "@miniodb/core";
import {
  checkReadOnlyQuery,
  queryScanRanges,
  createChangedViews,
  type LiveRowTables,
  ParseTreeCache,
  type DuckDbEngine,
  type EngineSession,
  type ObjectFileCache,
  type ColumnBatch,
  type SessionLease,
} from "@miniodb/executor";
import { gatherQuerySources, type BufferSource, type TableRead } from "./query-sources.js";
import type { QueryScatter } from "./query-scatter.js";
import { noteRequest } from "../observability/request-context.js";
import { inSpan } from "../observability/tracing/in-span.js";
import type { Tracer } from "@opentelemetry/api";

export interface QueryServiceOptions {
  readonly metadata: MetadataStore;
  readonly engine: DuckDbEngine;
  readonly cache: ObjectFileCache;
  readonly buffers: BufferSource;
  /** Per-query files (buffered rows, tombstones); inside the engine's allowed directory. */
  readonly scratchDirectory: string;
  /** Longest row line of buffered rows, in bytes. */
  readonly maxLineBytes: number;
  /** Records `query.prepare` (files, unflushed rows, views) and `query.execute` (DuckDB) spans. */
  readonly tracer?: Tracer | undefined;
  /** Runs queries' reads on other nodes (a cluster's workers); without it this node reads everything. */
  readonly scatter?: QueryScatter | undefined;
  /** Tables of tombstoned files' live rows, for queries read on this node. */
  readonly liveRows?: LiveRowTables | undefined;
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
  readonly #trees: ParseTreeCache;

  constructor(options: QueryServiceOptions) {
    this.#options = options;
    this.#trees = new ParseTreeCache((sql) => options.engine.parse(sql));
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
    const { tables, tree } = await this.#checked(sql);
    const query = await this.#openQuery(sql, tables, tree);
    try {
      return await inSpan(this.#options.tracer, "query.execute", tablesAttribute(tables), () =>
        work(query.session, query.statement),
      );
    } finally {
      await query.close();
    }
  }

  /** Like withQuery, for statements the server builds itself over known tables. */
  async withTables<T>(
    tables: readonly TableRead[],
    work: (session: EngineSession) => Promise<T>,
  ): Promise<T> {
    const { tracer } = this.#options;
    const query = await this.#open(tables);
    try {
      return await inSpan(tracer, "query.execute", tablesAttribute(tables), () => work(query.session));
    } finally {
      await query.close();
    }
  }

  /**
   * The rows of `sql` by column, chunk by chunk as DuckDB produces them, holding the query's
   * session and files until the consumer finishes or stops early; memory stays at about one chunk.
   */
  async *stream(sql: string, signal?: AbortSignal): AsyncGenerator<ColumnBatch> {
    const { tables, tree } = await this.#checked(sql);
    const query = await this.#openQuery(sql, tables, tree);
    const span = this.#options.tracer?.startSpan("query.execute", { attributes: tablesAttribute(tables) });
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
      span?.end();
      signal?.removeEventListener("abort", onAbort);
      await query.close();
    }
  }

  /** Opens a checked query: scattered to the workers when there are any, else read here. */
  async #openQuery(sql: string, tables: readonly TableRead[], tree: unknown): Promise<OpenQuery> {
    const { scatter, engine, scratchDirectory, tracer } = this.#options;
    if (!scatter) return { ...(await this.#open(tables)), statement: sql };
    const lease = await engine.lease();
    // The scatter replaces and drops views named after the tables: the connection's record of
    // the views it keeps (createChangedViews) must not vouch for them afterwards.
    const forget = () => {
      for (const table of tables) lease.session.views.delete(table.entry.name.toLowerCase());
    };
    try {
      forget();
      const scattered = await inSpan(tracer, "query.prepare", tablesAttribute(tables), () =>
        scatter.open(lease.session, {
          sql,
          tree,
          tables,
          directory: join(scratchDirectory, randomUUID()),
        }),
      );
      if (!scattered) {
        lease.release();
        return { ...(await this.#open(tables)), statement: sql };
      }
      let closed: Promise<void> | undefined;
      const close = () =>
        (closed ??= scattered.close().finally(() => {
          forget();
          lease.release();
        }));
      return { session: lease.session, statement: scattered.statement, close };
    } catch (error) {
      forget();
      lease.release();
      throw error;
    }
  }

  /**
   * Gathers the tables' files, leases a session and creates the views; `close` (idempotent)
   * undoes it all.
   */
  async #open(tables: readonly TableRead[]) {
    const { engine, scratchDirectory, tracer } = this.#options;
    const sources = await inSpan(tracer, "query.prepare", tablesAttribute(tables), () =>
      gatherQuerySources(this.#options, tables, join(scratchDirectory, randomUUID())),
    );
    let lease: SessionLease | undefined;
    let closed: Promise<void> | undefined;
    const close = () =>
      (closed ??= (async () => {
        lease?.release();
        await sources.close();
      })());
    try {
      lease = await engine.lease();
      await createChangedViews(lease.session, sources.views);
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
    const { metadata } = this.#options;
    const [tree, entries] = await Promise.all([this.#trees.parse(sql), metadata.listTables()]);
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

function tablesAttribute(tables: readonly TableRead[]) {
  return { "miniodb.tables": tables.map((table) => table.entry.name) };
}
