import {
  DuckDBInstance,
  DuckDBTimestampValue,
  JSDuckDBValueConverter,
  type DuckDBValueConverter,
  type JS,
} from "@duckdb/node-api";
import { fromDuckDbError } from "./errors.js";
import { quoteLiteral } from "./sql-quote.js";

/** A Parquet row as plain values; TIMESTAMP columns become epoch microseconds (bigint). */
export type ParquetRow = Record<string, JS | null>;

/** Like DuckDB's JavaScript conversion, but keeps a timestamp's microseconds (a Date cannot). */
const converter: DuckDBValueConverter<JS> = (value, type, recurse) =>
  value instanceof DuckDBTimestampValue ? value.micros : JSDuckDBValueConverter(value, type, recurse);

/**
 * Reads a whole Parquet file, in file order, into row objects: for tests and tools, never for
 * queries (it materialises everything and opens any path). BIGINT and UBIGINT come back as
 * bigint, DOUBLE as number, VARCHAR and JSON as strings (JSON as its text), NULL as null.
 */
export async function readParquetRows(path: string): Promise<ParquetRow[]> {
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet(${quoteLiteral(path)})`);
      return reader.convertRowObjects(converter);
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    throw fromDuckDbError(error);
  } finally {
    instance.closeSync();
  }
}

/**
 * Reads a Parquet file, in file order, in batches of about `batchRows` rows (whole DuckDB chunks,
 * so a batch can be up to one chunk larger), converted like readParquetRows: memory stays at
 * about one batch.
 */
export async function* readParquetBatches(path: string, batchRows: number): AsyncGenerator<ParquetRow[]> {
  const instance = await DuckDBInstance.create(":memory:");
  try {
    const connection = await instance.connect();
    try {
      const result = await connection.stream(`SELECT * FROM read_parquet(${quoteLiteral(path)})`);
      let batch: ParquetRow[] = [];
      for await (const rows of result.yieldConvertedRowObjects(converter)) {
        batch.push(...rows);
        if (batch.length >= batchRows) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    throw fromDuckDbError(error);
  } finally {
    instance.closeSync();
  }
}
