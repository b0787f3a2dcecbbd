import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { duckDbSandboxStatements } from "./duckdb-sandbox.js";
import { EngineSession } from "./engine-session.js";
import type { ResultRow } from "./result-rows.js";
import { fromDuckDbError } from "./errors.js";

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
}

export interface SessionOptions {
  /** Overrides the engine's default timeout for this session's statements. */
  readonly timeoutMs?: number;
}

export interface SessionLease {
  readonly session: EngineSession;
  release(): void;
}

/**
 * An in-memory DuckDB sandboxed for untrusted SQL: it can read only `allowedDirectory`, cannot
 * write files, attach databases, install or load extensions, and its settings are locked so a
 * query cannot undo any of this. Queries that run past their timeout are interrupted.
 *
 * This is defence in depth, not the whole defence: DuckDB's `allowed_directories` grants writes
 * as well as reads, so `COPY ... TO` a path inside the cache is possible here. The SQL guard in
 * front of the engine admits read statements only.
 *
 * A small pool of connections lets queries run side by side; each query holds one connection
 * for its session, so its temporary views are its own.
 */
export class DuckDbEngine {
  readonly #instance: DuckDBInstance;
  readonly #idle: DuckDBConnection[];
  readonly #all: readonly DuckDBConnection[];
  readonly #waiting: Array<(connection: DuckDBConnection) => void> = [];
  readonly #queryTimeoutMs: number;

  private constructor(instance: DuckDBInstance, connections: DuckDBConnection[], queryTimeoutMs: number) {
    this.#instance = instance;
    this.#all = connections;
    this.#idle = [...connections];
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
      });
      for (const statement of statements) await first.run(statement);
      for (let count = 1; count < Math.max(1, options.connections ?? 4); count++)
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

  /** A connection for as long as the caller needs it (e.g. a generator); `release` exactly once. */
  async lease(options: SessionOptions = {}): Promise<SessionLease> {
    const connection =
      this.#idle.pop() ?? (await new Promise<DuckDBConnection>((resolve) => this.#waiting.push(resolve)));
    let released = false;
    return {
      session: new EngineSession(connection, options.timeoutMs ?? this.#queryTimeoutMs),
      release: () => {
        if (released) return;
        released = true;
        const next = this.#waiting.shift();
        if (next) next(connection);
        else this.#idle.push(connection);
      },
    };
  }

  /** Runs one statement on a leased connection and returns its rows as JSON values. */
  async query(sql: string, options: SessionOptions = {}): Promise<ResultRow[]> {
    return this.withSession(async (session) => [...(await session.readAll(sql)).rows], options);
  }

  /** DuckDB's parse tree of `sql` (`json_serialize_sql`); parse errors come back inside it. */
  async parse(sql: string): Promise<unknown> {
    return this.withSession(async (session) => {
      const { rows } = await session.readAll("SELECT json_serialize_sql($1::VARCHAR) AS tree", [sql]);
      return rows[0]!["tree"];
    });
  }

  close(): void {
    for (const connection of this.#all) connection.closeSync();
    this.#instance.closeSync();
  }
}
