export type { DuckDbEngineOptions, QueryOptions } from "./duckdb-engine.js";
export { DuckDbEngine } from "./duckdb-engine.js";
export { fromDuckDbError } from "./errors.js";
export { ID_COLUMN, SEQUENCE_COLUMN, TIMESTAMP_COLUMN } from "./parquet-copy-statement.js";
export type {
  ParquetFileStats,
  ParquetFileWriterOptions,
  ParquetWriteRequest,
} from "./parquet-file-writer.js";
export { ParquetFileWriter } from "./parquet-file-writer.js";
export type { ParquetRow } from "./read-parquet-rows.js";
export { readParquetRows } from "./read-parquet-rows.js";
