import {
  DuckDBDataChunk,
  DuckDBMaterializedResult,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBResult,
  type Json,
} from "@duckdb/node-api";
import { MiniodbError } from "@miniodb/core";
import { fromDuckDbError } from "./errors.js";
import { quoteIdentifier } from "./sql-quote.js";
import { chunkColumns, chunkRows, resultColumn, type ResultColumn, type ResultRow } from "./result-rows.js";

/** Rows per appended chunk: DuckDB's vector size. */
const APPEND_CHUNK_ROWS = 2048;

/** A whole result, read into memory. */
export interface ResultSet {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly ResultRow[];
}

/** One piece of a streamed result (a DuckDB vector, up to 2,048 rows). */
export interface ResultBatch {
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly ResultRow[];
}

/** One piece of a streamed result by column: `values[column][row]`, timestamps in epoch µs. */
export interface ColumnBatch {
  readonly columns: readonly ResultColumn[];
  readonly values: readonly (readonly Json[])[];
  readonly rowCount: number;
}

/**
 * One leased connection of the engine: statements run in order and see each other's temporary
 * views. Each call into DuckDB (a statement, or one fetch of a streamed result) is bounded by the
 * timeout (interrupted, then deadline_exceeded), so a slow reader of a stream does not count
 * against its query; the engine's lease deadline keeps stalled streams from starving others.
 */
export class EngineSession {
  readonly #connection: DuckDBConnection;
  readonly #timeoutMs: number;
  /**
   * The temporary views that exist on this connection, by lower-cased name → the statement that
   * created them; shared by every session of the connection. Kept by their users (see
   * QueryService), so that a view is created again only when its statement changes.
   */
  readonly views: Map<string, string>;

  constructor(connection: DuckDBConnection, timeoutMs: number, views = new Map<string, string>()) {
    this.#connection = connection;
    this.#timeoutMs = timeoutMs;
    this.views = views;
  }

  /** Stops whatever this connection is running (its caller gets an interrupt error). */
  interrupt(): void {
    this.#connection.interrupt();
  }

  async run(sql: string): Promise<void> {
    await this.#bounded(() => this.#connection.run(sql));
  }

  /** Runs `sql` (with `$1`… bound to `values`) and reads the whole result. */
  async readAll(sql: string, values?: readonly string[]): Promise<ResultSet> {
    return this.#bounded(async () => {
      const result = await this.#connection.run(sql, values ? [...values] : undefined);
      const columns = columnsOf(result);
      const rows: ResultRow[] = [];
      for await (const chunk of chunksOf(result)) for (const row of chunkRows(chunk, columns)) rows.push(row);
      return { columns, rows };
    });
  }

  /** Runs `sql` and reads the whole result by column (see chunkColumns): no object per row. */
  async readColumns(sql: string): Promise<ColumnBatch> {
    return this.#bounded(async () => {
      const result = await this.#connection.run(sql);
      const columns = columnsOf(result);
      const values: Json[][] = columns.map(() => []);
      let rowCount = 0;
      for await (const chunk of chunksOf(result)) {
        chunkColumns(chunk, columns).forEach((column, index) => {
          for (const value of column) values[index]!.push(value);
        });
        rowCount += chunk.rowCount;
      }
      return { columns, values, rowCount };
    });
  }

  /**
   * Creates the temporary table `name` with VARCHAR columns `c0`, `c1`… holding `columns` (values
   * by column, all of one length; null for NULL), through DuckDB's appender: far cheaper than SQL
   * text for more than a few rows. The caller drops it.
   */
  async createTextTable(name: string, columns: readonly (readonly (string | null)[])[]): Promise<void> {
    const definitions = columns.map((_, index) => `c${index} VARCHAR`);
    await this.run(`CREATE TEMP TABLE ${quoteIdentifier(name)} (${definitions.join(", ")})`);
    const appender = await this.#bounded(() => this.#connection.createAppender(name, "main", "temp"));
    try {
      const rows = columns[0]?.length ?? 0;
      for (let start = 0; start < rows; start += APPEND_CHUNK_ROWS) {
        const count = Math.min(APPEND_CHUNK_ROWS, rows - start);
        const chunk = DuckDBDataChunk.create(
          columns.map(() => VARCHAR),
          count,
        );
        chunk.setColumns(columns.map((values) => values.slice(start, start + count)));
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } catch (error) {
      throw fromDuckDbError(error);
    } finally {
      appender.closeSync();
    }
  }

  /**
   * DuckDB's own rendering of a checked single statement, without trailing semicolons or comments,
   * for embedding in a statement of ours (`COPY (<sql>) TO ...`). Every statement the SQL guard
   * admits is one DuckDB serialises, so it renders.
   */
  async canonicalSql(sql: string): Promise<string> {
    const { rows } = await this.readAll(
      "SELECT json_deserialize_sql(json_serialize_sql($1::VARCHAR)) AS statement",
      [sql],
    );
    return String(rows[0]!["statement"]);
  }

  /**
   * Yields the result of one statement chunk by chunk as DuckDB produces it; memory stays at about
   * one chunk.
   */
  async *stream(sql: string): AsyncGenerator<ResultBatch> {
    for await (const { columns, chunk } of this.#chunks(sql))
      yield { columns, rows: chunkRows(chunk, columns) };
  }

  /** Like stream (one statement), by column (see chunkColumns): no object per row. */
  async *streamColumns(sql: string): AsyncGenerator<ColumnBatch> {
    for await (const { columns, chunk } of this.#chunks(sql))
      yield { columns, values: chunkColumns(chunk, columns), rowCount: chunk.rowCount };
  }

  /**
   * `sql` must be one statement: it is prepared in one call into DuckDB (`DuckDBConnection.stream`
   * would split the text into statements first, one more call per query).
   */
  async *#chunks(sql: string): AsyncGenerator<{ columns: ResultColumn[]; chunk: DuckDBDataChunk }> {
    const result = await this.#bounded(async () => {
      const prepared = await this.#connection.prepare(sql);
      try {
        return await prepared.stream();
      } finally {
        prepared.destroySync();
      }
    });
    const columns = columnsOf(result);
    for (;;) {
      const chunk = await this.#bounded(() => result.fetchChunk());
      if (!chunk || chunk.rowCount === 0) return;
      yield { columns, chunk };
    }
  }

  async #bounded<T>(step: () => Promise<T>): Promise<T> {
    const timeoutMs = this.#timeoutMs;
    const timer = timeoutMs > 0 ? setTimeout(() => this.#connection.interrupt(), timeoutMs) : undefined;
    try {
      return await step();
    } catch (error) {
      const translated = fromDuckDbError(error);
      if (translated.code !== "deadline_exceeded") throw translated;
      throw new MiniodbError("deadline_exceeded", `query ran longer than ${timeoutMs} ms`, {
        cause: error,
        details: { limit: "query.timeout" },
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The chunks of a result that holds rows. A materialized one (what `run` returns) is read in place,
 * without a round trip to DuckDB's threads per chunk as `fetchChunk` makes.
 */
async function* chunksOf(result: DuckDBResult): AsyncGenerator<DuckDBDataChunk> {
  if (result instanceof DuckDBMaterializedResult) {
    for (let index = 0; index < result.chunkCount; index++) {
      const chunk = result.getChunk(index);
      if (chunk.rowCount > 0) yield chunk;
    }
    return;
  }
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk())
    yield chunk;
}

function columnsOf(result: DuckDBResult): ResultColumn[] {
  const names = result.deduplicatedColumnNames();
  return names.map((name, index) => resultColumn(name, result.columnType(index)));
}
