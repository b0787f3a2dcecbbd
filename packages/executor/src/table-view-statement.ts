import type { ColumnDef, ColumnType } from "@miniodb/core";
import { ID_COLUMN, rowLinesSelect, SEQUENCE_COLUMN, TIMESTAMP_COLUMN } from "./parquet-copy-statement.js";
import { quoteIdentifier, quoteLiteral } from "./sql-quote.js";

/** Parquet files written with one schema version: they share their columns and types. */
export interface ParquetFileGroup {
  readonly paths: readonly string[];
  readonly columns: readonly ColumnDef[];
  /** Whether a tombstone may hide rows of these files (else they skip the anti-join). */
  readonly tombstoned: boolean;
}

/** Everything a query reads of one table, as local files. */
export interface TableViewSource {
  /** The name queries use; the view gets it. */
  readonly name: string;
  /** The table's current payload columns: the view's columns after id and timestamp. */
  readonly columns: readonly ColumnDef[];
  readonly fileGroups: readonly ParquetFileGroup[];
  /** NDJSON row lines not yet in any file (buffered rows). */
  readonly bufferPath?: string | undefined;
  /**
   * NDJSON `{"id": …, "seq": "<sequence>"}` lines: each hides the id's rows with seq ≤ it, in the
   * tombstoned file groups and in the buffered rows.
   */
  readonly tombstonesPath?: string | undefined;
  /** Longest NDJSON line to accept, in bytes. */
  readonly maxLineBytes: number;
  /** Rows with an older timestamp (epoch µs) are left out: the table's retention window. */
  readonly minTimestamp?: number | undefined;
}

const TYPE_SQL: Record<ColumnType, string> = {
  BOOLEAN: "BOOLEAN",
  BIGINT: "BIGINT",
  DOUBLE: "DOUBLE",
  VARCHAR: "VARCHAR",
  JSON: "JSON",
};

/**
 * `CREATE OR REPLACE TEMP VIEW <name>` over a table's files and buffered rows:
 *
 * ```sql
 * SELECT * EXCLUDE (__miniodb_seq) FROM (
 *   SELECT id, timestamp, __miniodb_seq, <columns as of today> FROM read_parquet([...])  -- clean files, per version
 *   UNION ALL
 *   SELECT r.* FROM (<tombstoned files> UNION ALL <buffered rows>) AS r
 *     ANTI JOIN <tombstones> AS t ON t.id = r.id AND t.seq >= r.__miniodb_seq
 * )
 * ```
 *
 * Each group of files is read with the columns of its schema version and converted to today's
 * types by the widening policy (BIGINT → DOUBLE; anything → VARCHAR as its text; anything → JSON
 * as its JSON value); columns added later are NULL in older files. Only the rows a tombstone may
 * hide go through the anti-join (a hash join on id: far cheaper than a correlated NOT EXISTS). A
 * table with nothing yet is an empty view with the right columns, so joins against it behave.
 */
export function tableViewStatement(source: TableViewSource): string {
  return (
    `CREATE OR REPLACE TEMP VIEW ${quoteIdentifier(source.name)} AS ` +
    `SELECT * EXCLUDE (${quoteIdentifier(SEQUENCE_COLUMN)}) FROM (${tableRowsSelect(source)})`
  );
}

/**
 * The live rows of a table's files and buffered rows, with their sequence column, in no
 * particular order: what the view shows (and what compaction writes back).
 */
export function tableRowsSelect(source: TableViewSource): string {
  const tombstones = source.tombstonesPath;
  const groups = source.fileGroups.filter((group) => group.paths.length > 0);
  const clean = groups
    .filter((group) => tombstones === undefined || !group.tombstoned)
    .map((group) => fileGroupSelect(group, source.columns));
  const dirty = groups
    .filter((group) => tombstones !== undefined && group.tombstoned)
    .map((group) => fileGroupSelect(group, source.columns));
  if (source.bufferPath !== undefined) {
    const buffer = `SELECT * FROM (${rowLinesSelect(source.bufferPath, source.columns, source.maxLineBytes)})`;
    (tombstones === undefined ? clean : dirty).push(buffer);
  }
  const parts = [...clean];
  if (dirty.length > 0) {
    const id = quoteIdentifier(ID_COLUMN);
    const sequence = quoteIdentifier(SEQUENCE_COLUMN);
    parts.push(
      `SELECT r.* FROM (${dirty.join(" UNION ALL ")}) AS r ANTI JOIN (${tombstonesSelect(tombstones!)}) AS t ` +
        `ON t.id = r.${id} AND t.seq >= r.${sequence}`,
    );
  }
  if (parts.length === 0) parts.push(emptySelect(source.columns));
  const rows = parts.join(" UNION ALL ");
  if (source.minTimestamp === undefined) return rows;
  const cutoff = Math.trunc(source.minTimestamp);
  return `SELECT * FROM (${rows}) WHERE ${quoteIdentifier(TIMESTAMP_COLUMN)} >= make_timestamp(${cutoff})`;
}

function fileGroupSelect(group: ParquetFileGroup, columns: readonly ColumnDef[]): string {
  const stored = new Map(group.columns.map((column) => [column.name, column.type]));
  const selections = [ID_COLUMN, TIMESTAMP_COLUMN, SEQUENCE_COLUMN].map(quoteIdentifier);
  for (const column of columns) {
    const from = stored.get(column.name);
    selections.push(`${convert(column.name, from, column.type)} AS ${quoteIdentifier(column.name)}`);
  }
  const files = group.paths.map(quoteLiteral).join(", ");
  return `SELECT ${selections.join(", ")} FROM read_parquet([${files}])`;
}

/** A stored column as today's type; `from` undefined means the files predate the column. */
function convert(name: string, from: ColumnType | undefined, to: ColumnType): string {
  const column = quoteIdentifier(name);
  if (from === undefined) return `NULL::${TYPE_SQL[to]}`;
  if (from === to) return column;
  if (to === "JSON") return `to_json(${column})`;
  return `CAST(${column} AS ${TYPE_SQL[to]})`;
}

function emptySelect(columns: readonly ColumnDef[]): string {
  const selections = [
    `NULL::VARCHAR AS ${quoteIdentifier(ID_COLUMN)}`,
    `NULL::TIMESTAMP AS ${quoteIdentifier(TIMESTAMP_COLUMN)}`,
    `NULL::UBIGINT AS ${quoteIdentifier(SEQUENCE_COLUMN)}`,
    ...columns.map((column) => `NULL::${TYPE_SQL[column.type]} AS ${quoteIdentifier(column.name)}`),
  ];
  return `SELECT ${selections.join(", ")} WHERE false`;
}

function tombstonesSelect(path: string): string {
  return (
    `SELECT id, CAST(seq AS UBIGINT) AS seq FROM read_json(${quoteLiteral(path)}, ` +
    `format = 'newline_delimited', records = true, auto_detect = false, ` +
    `columns = {'id': 'VARCHAR', 'seq': 'VARCHAR'})`
  );
}

/** One line of a tombstones file. */
export function tombstoneLine(id: string, sequence: bigint): string {
  return JSON.stringify({ id, seq: sequence.toString() });
}

/** `DROP VIEW IF EXISTS <name>`, for the end of a query. */
export function dropTableViewStatement(name: string): string {
  return `DROP VIEW IF EXISTS ${quoteIdentifier(name)}`;
}
