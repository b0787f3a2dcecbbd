import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { MiniodbError } from "@miniodb/core";
import { duckDbSandboxStatements } from "./duckdb-sandbox.js";
import { EngineSession } from "./engine-session.js";
import type { ResultRow } from "./result-rows.js";
import { fromDuckDbError } from "./errors.js";
import { quoteIdentifier, quoteLiteral } from "./sql-quote.js";

export interface DuckDbEngineOptions {
  /** The only directory queries may read (the local file cache). Must exist. */
  readonly allowedDirectory: string;
  /** DuckDB memory limit, e.g. "2GB"; a query over it fails with resource_exhausted. */
  readonly memoryLimit?: string;
  /** Worker threads; DuckDB's default (all cores) when absent. */
  readonly threads?: number;
  /** Default per-query timeout in milliseconds; 0 means none. */
  readonly queryTimeoutMs?: number;
  /** Connections, i.e. queries that run at once; more wait their turn. Default 4. */
  readonly connections?: number;
  /**
   * A database file (inside `allowedDirectory`) attached under `alias` for the engine's own
   * tables (LiveRowTables); created if missing. Queries cannot name it: the SQL guard refuses
   * qualified table names.
   */
  readonly attach?: { readonly path: string; readonly alias: string };
}

export interface SessionOptions {
  /** Overrides the engine's default timeout for this session's statements. */
  readonly timeoutMs?: number;
}

/** The query slots now. */
export interface DuckDbEngineStats {
  readonly slots: number;
  readonly idle: number;
  /** Queries waiting for a free slot. */
  readonly waiting: number;
}

export interface SessionLease {
  readonly session: EngineSession;
  release(): void;
}

/**
 * An in-memory DuckDB sandboxed for untrusted SQL: it can reach only files in `allowedDirectory`,
 * cannot install or load extensions, and its settings are locked so a query cannot undo any of
 * this. Queries that run past their timeout are interrupted.
 *
 * This is defence in depth, not the whole defence: DuckDB's `allowed_directories` grants writes
 * as well as reads, so `COPY ... TO` or `ATTACH` of a path inside the cache is possible here. The
 * SQL guard in front of the engine admits read statements of the tables' views only.
 *
 * A small pool of connections lets queries run side by side; each query holds one connection
 * for its session and creates its temporary views there (kept for the next query of the
 * connection, see `EngineSession.views`). Parquet footers are cached across queries
 * (`parquet_metadata_cache`): every Parquet file it reads is immutable under its path.
 */
export class DuckDbEngine {
  readonly #instance: DuckDBInstance;
  readonly #idle: DuckDBConnection[];
  readonly #all: readonly DuckDBConnection[];
  readonly #waiting: Array<(connection: DuckDBConnection) => void> = [];
  readonly #queryTimeoutMs: number;
  /** Parsing has its own connection, so that busy query slots never hold up the SQL guard. */
  readonly #parser: EngineSession;
  #parsing: Promise<unknown> = Promise.resolve();
  readonly #views = new Map<DuckDBConnection, Map<string, string>>();

  private constructor(instance: DuckDBInstance, connections: DuckDBConnection[], queryTimeoutMs: number) {
    this.#instance = instance;
    this.#all = connections;
    this.#idle = connections.slice(1);
    this.#parser = new EngineSession(connections[0]!, queryTimeoutMs);
    this.#queryTimeoutMs = queryTimeoutMs;
  }

  static async create(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const instance = await DuckDBInstance.create(":memory:");
    const connections: DuckDBConnection[] = [];
    try {
      const first = await instance.connect();
      connections.push(first);
      const statements = duckDbSandboxStatements({
        directory: options.allowedDirectory,
        tempDirectory: `${options.allowedDirectory}/.duckdb-tmp`,
        memoryLimit: options.memoryLimit,
        threads: options.threads,
        extraSettings: ["SET GLOBAL parquet_metadata_cache = true"],
      });
      for (const statement of statements) await first.run(statement);
      if (options.attach)
        await first.run(
          `ATTACH ${quoteLiteral(options.attach.path)} AS ${quoteIdentifier(options.attach.alias)}`,
        );
      // One connection for parsing, then the query slots.
      for (let count = 0; count < Math.max(1, options.connections ?? 4); count++)
        connections.push(await instance.connect());
    } catch (error) {
      for (const connection of connections) connection.closeSync();
      instance.closeSync();
      throw fromDuckDbError(error);
    }
    return new DuckDbEngine(instance, connections, options.queryTimeoutMs ?? 0);
  }

  /** Leases a connection for `work`, returning it afterwards even when `work` fails. */
  async withSession<T>(
    work: (session: EngineSession) => Promise<T>,
    options: SessionOptions = {},
  ): Promise<T> {
    const lease = await this.lease(options);
    try {
      return await work(lease.session);
    } finally {
      lease.release();
    }
  }

  /**
   * A connection for as long as the caller needs it (e.g. a generator); `release` exactly once.
   * When every slot stays busy for the session's timeout, resource_exhausted: a stalled stream
   * must not make other queries wait forever.
   */
  async lease(options: SessionOptions = {}): Promise<SessionLease> {
    const waitMs = options.timeoutMs ?? this.#queryTimeoutMs;
    const connection = this.#idle.pop() ?? (await this.#waitForConnection(waitMs));
    let released = false;
    return {
      session: new EngineSession(
        connection,
        options.timeoutMs ?? this.#queryTimeoutMs,
        this.#viewsOf(connection),
      ),
      release: () => {
        if (released) return;
        released = true;
        const next = this.#waiting.shift();
        if (next) next(connection);
        else this.#idle.push(connection);
      },
    };
  }

  #viewsOf(connection: DuckDBConnection): Map<string, string> {
    let views = this.#views.get(connection);
    if (!views) this.#views.set(connection, (views = new Map()));
    return views;
  }

  stats(): DuckDbEngineStats {
    return { slots: this.#all.length - 1, idle: this.#idle.length, waiting: this.#waiting.length };
  }

  #waitForConnection(waitMs: number): Promise<DuckDBConnection> {
    return new Promise<DuckDBConnection>((resolve, reject) => {
      const waiter = (connection: DuckDBConnection) => {
        clearTimeout(timer);
        resolve(connection);
      };
      const timer =
        waitMs > 0
          ? setTimeout(() => {
              this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
              reject(
                new MiniodbError(
                  "resource_exhausted",
                  `all ${this.#all.length - 1} query slots stayed busy for ${waitMs} ms (query.max_concurrent)`,
                  { details: { limit: "query.max_concurrent" } },
                ),
              );
            }, waitMs)
          : undefined;
      this.#waiting.push(waiter);
    });
  }

  /** Runs one statement on a leased connection and returns its rows as JSON values. */
  async query(sql: string, options: SessionOptions = {}): Promise<ResultRow[]> {
    return this.withSession(async (session) => [...(await session.readAll(sql)).rows], options);
  }

  /** DuckDB's parse tree of `sql` (`json_serialize_sql`); parse errors come back inside it. */
  async parse(sql: string): Promise<unknown> {
    const parsed = this.#parsing.then(async () => {
      const { rows } = await this.#parser.readAll("SELECT json_serialize_sql($1::VARCHAR) AS tree", [sql]);
      return rows[0]!["tree"];
    });
    this.#parsing = parsed.catch(() => undefined);
    return parsed;
  }

  close(): void {
    for (const connection of this.#all) connection.closeSync();
    this.#instance.closeSync();
  }
}
