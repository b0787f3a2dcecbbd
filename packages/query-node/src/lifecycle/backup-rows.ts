import type { ColumnDef } from "@miniodb/core";
import { ID_COLUMN, TIMESTAMP_COLUMN, type ParquetRow } from "@miniodb/executor";
import type { RecordInput } from "@miniodb/worker-node";

/**
 * A row read back from a data file as the record to write again: its id, timestamp and payload
 * (NULL columns left out, JSON columns parsed, BIGINTs as numbers as they were written).
 */
export function rowToRecord(row: ParquetRow, columns: readonly ColumnDef[]): RecordInput {
  const payload: Record<string, unknown> = {};
  for (const column of columns) {
    const value = row[column.name];
    if (value === null || value === undefined) continue;
    if (column.type === "JSON") payload[column.name] = JSON.parse(String(value));
    else if (typeof value === "bigint") payload[column.name] = Number(value);
    else payload[column.name] = value;
  }
  return {
    id: String(row[ID_COLUMN]),
    timestampMicros: Number(row[TIMESTAMP_COLUMN] as bigint),
    payload,
  };
}
