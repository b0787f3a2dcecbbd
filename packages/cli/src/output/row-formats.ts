import type { Writable } from "node:stream";
import Table from "cli-table3";
import { stringify } from "csv-stringify/sync";
import type { QueryRow } from "@miniodb/client";
import { writeText } from "./output-stream.js";

export const ROW_FORMATS = ["table", "json", "ndjson", "csv"] as const;
export type RowFormat = (typeof ROW_FORMATS)[number];

/**
 * Prints rows in `format`. json, ndjson and csv stream row by row; table needs every row first to
 * size its columns. Returns the number of rows.
 */
export async function writeRows(
  rows: AsyncIterable<QueryRow>,
  format: RowFormat,
  out: Writable,
): Promise<number> {
  switch (format) {
    case "table":
      return writeTable(rows, out);
    case "json":
      return writeJsonArray(rows, out);
    case "ndjson":
      return writeEach(rows, out, (row) => `${JSON.stringify(row)}\n`);
    case "csv":
      return writeCsv(rows, out);
  }
}

async function writeTable(rows: AsyncIterable<QueryRow>, out: Writable): Promise<number> {
  const all: QueryRow[] = [];
  for await (const row of rows) all.push(row);
  const columns = columnsOf(all);
  if (columns.length > 0) {
    const table = new Table({
      head: columns,
      style: { head: [], border: [] },
      chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    });
    for (const row of all) table.push(columns.map((column) => cell(row[column], "NULL")));
    await writeText(out, `${table.toString()}\n`);
  }
  await writeText(out, `(${all.length} ${all.length === 1 ? "row" : "rows"})\n`);
  return all.length;
}

async function writeJsonArray(rows: AsyncIterable<QueryRow>, out: Writable): Promise<number> {
  let count = 0;
  for await (const row of rows)
    await writeText(out, `${count++ === 0 ? "[\n" : ",\n"}${JSON.stringify(row)}`);
  await writeText(out, count === 0 ? "[]\n" : "\n]\n");
  return count;
}

async function writeCsv(rows: AsyncIterable<QueryRow>, out: Writable): Promise<number> {
  let columns: string[] | undefined;
  return writeEach(rows, out, (row) => {
    const header = columns === undefined;
    columns ??= Object.keys(row);
    const values = columns.map((column) => cell(row[column], ""));
    return stringify(header ? [columns, values] : [values]);
  });
}

async function writeEach(
  rows: AsyncIterable<QueryRow>,
  out: Writable,
  format: (row: QueryRow) => string,
): Promise<number> {
  let count = 0;
  for await (const row of rows) {
    await writeText(out, format(row));
    count++;
  }
  return count;
}

/** Every column name in first-seen order (rows of one result share them; this keeps any extras). */
function columnsOf(rows: readonly QueryRow[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) for (const column of Object.keys(row)) columns.add(column);
  return [...columns];
}

function cell(value: unknown, nullText: string): string {
  if (value === null || value === undefined) return nullText;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
