export type {
  DuckDbEngineOptions,
  DuckDbEngineStats,
  SessionLease,
  SessionOptions,
} from "./duckdb-engine.js";
export { DuckDbEngine } from "./duckdb-engine.js";
export type { ColumnBatch, ResultBatch, ResultSet } from "./engine-session.js";
export { EngineSession } from "./engine-session.js";
export type {
  CachedObjectRef,
  CacheLease,
  CacheLookup,
  ObjectFileCacheOptions,
  ObjectFileCacheStats,
} from "./object-file-cache.js";
export { ObjectFileCache } from "./object-file-cache.js";
export type {
  LiveRowsBuilt,
  LiveRowsLease,
  LiveRowsRequest,
  LiveRowTablesOptions,
  LiveRowTablesStats,
} from "./live-row-tables.js";
export { LiveRowTables } from "./live-row-tables.js";
export { ParseTreeCache } from "./parse-tree-cache.js";
export { createChangedViews } from "./session-views.js";
export { queryScanRanges } from "./query-scan-ranges.js";
export type { ReadOnlyQuery } from "./read-only-query.js";
export { checkReadOnlyQuery } from "./read-only-query.js";
export type { ResultColumn, ResultRow } from "./result-rows.js";
export type { ScanRange } from "./scan-range.js";
export { compareIds, fileInRange } from "./scan-range.js";
export { TombstoneIndex } from "./tombstone-index.js";
export { readsBackFromText } from "./text-exact-types.js";
export type { ParquetFileGroup, TableViewSource } from "./table-view-statement.js";
export { dropTableViewStatement, tableViewStatement, tombstoneLine } from "./table-view-statement.js";
export { fromDuckDbError } from "./errors.js";
export { ID_COLUMN, SEQUENCE_COLUMN, TIMESTAMP_COLUMN } from "./parquet-copy-statement.js";
export type {
  ParquetFileStats,
  ParquetFileWriterOptions,
  ParquetRewriteRequest,
  RowFilter,
  ParquetWriteRequest,
} from "./parquet-file-writer.js";
export { ParquetFileWriter } from "./parquet-file-writer.js";
export { quoteIdentifier as quoteSqlIdentifier, quoteLiteral as quoteSqlLiteral } from "./sql-quote.js";
export type { ParquetRow } from "./read-parquet-rows.js";
export { readParquetBatches, readParquetRows } from "./read-parquet-rows.js";
