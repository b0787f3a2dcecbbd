import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { MiniodbError } from "@miniodb/core";
import { duckDbSandboxStatements } from "./duckdb-sandbox.js";
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
}

export interface QueryOptions {
  /** Overrides the engine's default timeout for this query. */
  readonly timeoutMs?: number;
}

/**
 * An in-memory DuckDB sandboxed for untrusted SQL: it can read only `allowedDirectory`, cannot
 * write files, attach databases, install or load extensions, and its settings are locked so a
 * query cannot undo any of this. Queries that run past their timeout are interrupted.
 *
 * This is defence in depth, not the whole defence: DuckDB's `allowed_directories` grants writes
 * as well as reads, so `COPY ... TO` a path inside the cache is possible here. The SQL guard in
 * front of the engine admits read statements only.
 */
export class DuckDbEngine {
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;
  readonly #queryTimeoutMs: number;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection, queryTimeoutMs: number) {
    this.#instance = instance;
    this.#connection = connection;
    this.#queryTimeoutMs = queryTimeoutMs;
  }

  static async create(options: DuckDbEngineOptions): Promise<DuckDbEngine> {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      const statements = duckDbSandboxStatements({
        directory: options.allowedDirectory,
        tempDirectory: `${options.allowedDirectory}/.duckdb-tmp`,
        memoryLimit: options.memoryLimit,
        threads: options.threads,
      });
      for (const statement of statements) await connection.run(statement);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw fromDuckDbError(error);
    }
    return new DuckDbEngine(instance, connection, options.queryTimeoutMs ?? 0);
  }

  /** Runs one statement and returns its rows as plain JavaScript objects. */
  async query(sql: string, options: QueryOptions = {}): Promise<Array<Record<string, unknown>>> {
    const timeoutMs = options.timeoutMs ?? this.#queryTimeoutMs;
    const timer = timeoutMs > 0 ? setTimeout(() => this.#connection.interrupt(), timeoutMs) : undefined;
    try {
      const reader = await this.#connection.runAndReadAll(sql);
      return reader.getRowObjectsJS();
    } catch (error) {
      const translated = fromDuckDbError(error);
      if (translated.code === "deadline_exceeded") {
        throw new MiniodbError("deadline_exceeded", `query ran longer than ${timeoutMs} ms`, {
          cause: error,
        });
      }
      throw translated;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.#connection.closeSync();
    this.#instance.closeSync();
  }
}
