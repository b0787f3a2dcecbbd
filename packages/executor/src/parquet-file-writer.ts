import { mkdir, rm, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { checkPayloadKey, MiniodbError, type ColumnDef, type ColumnType } from "@miniodb/core";
import { duckDbSandboxStatements } from "./duckdb-sandbox.js";
import { fromDuckDbError } from "./errors.js";
import {
  ID_COLUMN,
  parquetCopyStatement,
  parquetStatsQuery,
  sortedParquetCopy,
  TIMESTAMP_COLUMN,
} from "./parquet-copy-statement.js";
import { quoteIdentifier, quoteLiteral } from "./sql-quote.js";
import { tableRowsSelect, type TableViewSource } from "./table-view-statement.js";

export interface ParquetFileWriterOptions {
  /**
   * The directory holding the NDJSON inputs and the Parquet outputs (it must exist). DuckDB may
   * read and write nothing outside it; it spills large sorts to `<workDirectory>/.duckdb-tmp`.
   */
  readonly workDirectory: string;
  /** Worker threads; DuckDB's default (all cores) when absent. */
  readonly threads?: number;
  /** DuckDB memory limit, e.g. "1GB"; sorts beyond it spill to the work directory. */
  readonly memoryLimit?: string;
  /** Longest NDJSON line accepted, in bytes (default 16 MiB); a longer line fails the write. */
  readonly maxLineBytes?: number;
}

export interface ParquetWriteRequest {
  /** NDJSON rows `{"id", "timestamp" (epoch µs), "__miniodb_seq" (decimal string), ...payload}`. */
  readonly inputPath: string;
  /** The table's payload columns, in file order. Keys of a row not listed here are ignored. */
  readonly columns: readonly ColumnDef[];
  /** Where the Parquet file goes; an existing file is replaced only when the write succeeds. */
  readonly outputPath: string;
}

/**
 * Data files of one table rewritten as one (compaction): the live rows of `source` (its
 * tombstones and retention window applied) in today's columns, sorted by id then sequence.
 */
export interface ParquetRewriteRequest {
  readonly source: Omit<TableViewSource, "name" | "bufferPath">;
  readonly outputPath: string;
  /** Keep only these rows (a data restore's selection); every live row when absent. */
  readonly filter?: RowFilter | undefined;
}

/** Rows by id and by timestamp (epoch µs, `from` inclusive, `to` exclusive). */
export interface RowFilter {
  readonly ids?: readonly string[] | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

/** What the manifest records about a data file. */
export interface ParquetFileStats {
  readonly rowCount: number;
  readonly sizeBytes: number;
  /** Epoch microseconds. */
  readonly minTimestamp: number;
  readonly maxTimestamp: number;
  readonly minId: string;
  readonly maxId: string;
  readonly minSequence: bigint;
  readonly maxSequence: bigint;
}

const COLUMN_TYPES: ReadonlySet<ColumnType> = new Set(["BOOLEAN", "BIGINT", "DOUBLE", "VARCHAR", "JSON"]);
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
const MEMORY_USAGE_QUERY =
  "SELECT sum(memory_usage_bytes) AS memory_bytes, sum(temporary_storage_bytes) AS temporary_bytes, " +
  "current_setting('memory_limit') AS memory_limit FROM duckdb_memory()";
/** DuckDB treats these as glob characters in a read path, and offers no way to escape them. */
const GLOB_CHARACTERS = /[*?[]/;

/**
 * Turns the buffered rows of one (table, day) into one data file: sorted by id then sequence,
 * ZSTD, with DuckDB's row-group statistics. A dedicated in-memory DuckDB does the conversion off
 * the JavaScript thread. It runs only statements built here (never user SQL) and is confined to
 * the work directory. Writes may run concurrently, each on its own connection.
 *
 * An input without rows is refused with invalid_argument and leaves no file: a data file always
 * has rows, so its stats are always defined.
 */
export class ParquetFileWriter {
  readonly #instance: DuckDBInstance;
  readonly #workDirectory: string;
  readonly #maxLineBytes: number;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  private constructor(instance: DuckDBInstance, workDirectory: string, maxLineBytes: number) {
    this.#instance = instance;
    this.#workDirectory = workDirectory;
    this.#maxLineBytes = maxLineBytes;
  }

  static async create(options: ParquetFileWriterOptions): Promise<ParquetFileWriter> {
    const workDirectory = resolve(options.workDirectory);
    const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new MiniodbError(
        "invalid_argument",
        `maxLineBytes must be a positive integer, got ${maxLineBytes}`,
      );
    }
    await requireDirectory(workDirectory);
    const tempDirectory = join(workDirectory, ".duckdb-tmp");
    await mkdir(tempDirectory, { recursive: true }).catch((error: unknown) => {
      throw MiniodbError.from(error, "unavailable");
    });
    let instance: DuckDBInstance | undefined;
    let connection: DuckDBConnection | undefined;
    try {
      instance = await DuckDBInstance.create(":memory:");
      connection = await instance.connect();
      for (const statement of setupStatements(workDirectory, tempDirectory, options)) {
        await connection.run(statement);
      }
    } catch (error) {
      instance?.closeSync();
      throw fromDuckDbError(error);
    } finally {
      connection?.closeSync();
    }
    return new ParquetFileWriter(instance, workDirectory, maxLineBytes);
  }

  /** Writes `outputPath` from `inputPath` and returns the file's stats. */
  async write(request: ParquetWriteRequest): Promise<ParquetFileStats> {
    if (this.#closed) throw new MiniodbError("failed_precondition", "the Parquet writer is closed");
    const task = this.#write(request);
    this.#inFlight.add(task);
    try {
      return await task;
    } finally {
      this.#inFlight.delete(task);
    }
  }

  /**
   * Writes `outputPath` from the live rows of existing data files and returns its stats, or
   * undefined (and no file) when no row is left.
   */
  async rewrite(request: ParquetRewriteRequest): Promise<ParquetFileStats | undefined> {
    if (this.#closed) throw new MiniodbError("failed_precondition", "the Parquet writer is closed");
    const task = this.#rewrite(request);
    this.#inFlight.add(task);
    try {
      return await task;
    } finally {
      this.#inFlight.delete(task);
    }
  }

  /**
   * DuckDB's own accounting of this instance: bytes it holds in memory and has spilled to disk,
   * and its memory limit as DuckDB prints it (e.g. "488.2 MiB" for 512MB).
   */
  async memoryUsage(): Promise<{ memoryBytes: number; temporaryBytes: number; memoryLimit: string }> {
    const connection = await this.#instance.connect().catch((error: unknown) => {
      throw fromDuckDbError(error);
    });
    try {
      const row = (await connection.runAndReadAll(MEMORY_USAGE_QUERY)).getRowObjectsJS()[0];
      return {
        memoryBytes: Number(row?.["memory_bytes"] ?? 0),
        temporaryBytes: Number(row?.["temporary_bytes"] ?? 0),
        memoryLimit: String(row?.["memory_limit"]),
      };
    } catch (error) {
      throw fromDuckDbError(error);
    } finally {
      connection.closeSync();
    }
  }

  /** Waits for writes in flight, then releases DuckDB. Later writes fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    this.#instance.closeSync();
  }

  async #write(request: ParquetWriteRequest): Promise<ParquetFileStats> {
    checkColumns(request.columns);
    const inputPath = this.#pathInside(request.inputPath, "inputPath");
    const outputPath = this.#pathInside(request.outputPath, "outputPath");
    if (GLOB_CHARACTERS.test(inputPath)) {
      throw new MiniodbError("invalid_argument", `inputPath may not contain * ? or [: ${inputPath}`);
    }
    await requireFile(inputPath);
    const copy = parquetCopyStatement({
      inputPath,
      columns: request.columns,
      outputPath,
      maxLineBytes: this.#maxLineBytes,
    });
    const connection = await this.#instance.connect().catch((error: unknown) => {
      throw fromDuckDbError(error);
    });
    try {
      const copied = (await connection.runAndReadAll(copy)).getRowObjectsJS()[0];
      const rowCount = Number(copied?.["count"] ?? 0);
      if (rowCount === 0) {
        await rm(outputPath, { force: true });
        throw new MiniodbError("invalid_argument", `no rows in ${inputPath}: nothing to write`);
      }
      const sizeBytes = Number(copied?.["file_size_bytes"]);
      return await readStats(connection, outputPath, rowCount, sizeBytes);
    } catch (error) {
      throw fromDuckDbError(error);
    } finally {
      connection.closeSync();
    }
  }

  async #rewrite({
    source,
    outputPath,
    filter,
  }: ParquetRewriteRequest): Promise<ParquetFileStats | undefined> {
    checkColumns(source.columns);
    const output = this.#pathInside(outputPath, "outputPath");
    const fileGroups = source.fileGroups.map((group) => ({
      ...group,
      paths: group.paths.map((path) => this.#checkedInput(path)),
    }));
    const tombstonesPath = source.tombstonesPath && this.#checkedInput(source.tombstonesPath);
    const select = filteredRows(
      tableRowsSelect({ ...source, name: "rewrite", fileGroups, tombstonesPath }),
      filter,
    );
    const connection = await this.#instance.connect().catch((error: unknown) => {
      throw fromDuckDbError(error);
    });
    try {
      const copied = (await connection.runAndReadAll(sortedParquetCopy(select, output))).getRowObjectsJS()[0];
      const rowCount = Number(copied?.["count"] ?? 0);
      if (rowCount === 0) {
        await rm(output, { force: true });
        return undefined;
      }
      return await readStats(connection, output, rowCount, Number(copied?.["file_size_bytes"]));
    } catch (error) {
      throw fromDuckDbError(error);
    } finally {
      connection.closeSync();
    }
  }

  #checkedInput(path: string): string {
    const absolute = this.#pathInside(path, "input path");
    if (GLOB_CHARACTERS.test(absolute)) {
      throw new MiniodbError("invalid_argument", `input paths may not contain * ? or [: ${absolute}`);
    }
    return absolute;
  }

  #pathInside(path: string, name: string): string {
    const absolute = resolve(path);
    const fromWork = relative(this.#workDirectory, absolute);
    if (fromWork === "" || fromWork === ".." || fromWork.startsWith(`..${sep}`) || isAbsolute(fromWork)) {
      throw new MiniodbError(
        "invalid_argument",
        `${name} ${JSON.stringify(path)} is not inside the work directory ${this.#workDirectory}`,
      );
    }
    return absolute;
  }
}

async function readStats(
  connection: DuckDBConnection,
  path: string,
  rowCount: number,
  sizeBytes: number,
): Promise<ParquetFileStats> {
  const row = (await connection.runAndReadAll(parquetStatsQuery(path))).getRowObjectsJS()[0];
  if (!row || Number(row["row_count"]) !== rowCount) {
    throw new MiniodbError("internal", `${path} holds ${String(row?.["row_count"])} rows, not ${rowCount}`);
  }
  return {
    rowCount,
    sizeBytes,
    minTimestamp: Number(row["min_timestamp"]),
    maxTimestamp: Number(row["max_timestamp"]),
    minId: String(row["min_id"]),
    maxId: String(row["max_id"]),
    minSequence: BigInt(String(row["min_sequence"])),
    maxSequence: BigInt(String(row["max_sequence"])),
  };
}

function filteredRows(select: string, filter: RowFilter | undefined): string {
  const conditions: string[] = [];
  if (filter?.ids !== undefined) {
    const ids = filter.ids.length === 0 ? "NULL" : filter.ids.map(quoteLiteral).join(", ");
    conditions.push(`${quoteIdentifier(ID_COLUMN)} IN (${ids})`);
  }
  const timestamp = quoteIdentifier(TIMESTAMP_COLUMN);
  if (filter?.from !== undefined)
    conditions.push(`${timestamp} >= make_timestamp(${Math.trunc(filter.from)})`);
  if (filter?.to !== undefined) conditions.push(`${timestamp} < make_timestamp(${Math.trunc(filter.to)})`);
  return conditions.length === 0 ? select : `SELECT * FROM (${select}) WHERE ${conditions.join(" AND ")}`;
}

function setupStatements(
  workDirectory: string,
  tempDirectory: string,
  options: ParquetFileWriterOptions,
): string[] {
  return duckDbSandboxStatements({
    directory: workDirectory,
    tempDirectory,
    memoryLimit: options.memoryLimit,
    threads: options.threads,
    // The ORDER BY of the COPY must reach the file.
    extraSettings: ["SET GLOBAL preserve_insertion_order = true"],
  });
}

/** Payload columns must be valid payload keys, distinct even ignoring case (as DuckDB compares). */
function checkColumns(columns: readonly ColumnDef[]): void {
  const seen = new Set<string>();
  for (const column of columns) {
    checkPayloadKey(column.name);
    if (!COLUMN_TYPES.has(column.type)) {
      throw new MiniodbError("invalid_argument", `column ${JSON.stringify(column.name)} has no column type`);
    }
    const folded = column.name.toLowerCase();
    if (seen.has(folded)) {
      throw new MiniodbError("invalid_argument", `column ${JSON.stringify(column.name)} appears twice`);
    }
    seen.add(folded);
  }
}

async function requireDirectory(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new MiniodbError("invalid_argument", `work directory ${path} does not exist`);
  }
}

async function requireFile(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new MiniodbError("not_found", `no input file ${path}`);
}
