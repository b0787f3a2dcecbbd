import type { ColumnDef, ColumnType } from "@miniodb/core";
import { ID_COLUMN, rowLinesSelect, SEQUENCE_COLUMN, TIMESTAMP_COLUMN } from "./parquet-copy-statement.js";
import { quoteIdentifier, quoteLiteral } from "./sql-quote.js";

/** Parquet files written with one schema version: they share their columns and types. */
export interface ParquetFileGroup {
  readonly paths: readonly string[];
  readonly columns: readonly ColumnDef[];
  /** Whether a tombstone may hide rows of these files (else they skip the anti-join). */
  readonly tombstoned: boolean;
  /**
   * A relation holding these files' live rows, read instead of `paths` (a LiveRowTables lease):
   * no tombstone join is needed then.
   */
  readonly relation?: string | undefined;
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
 * SELECT id, timestamp, <columns as of today> FROM read_parquet([...])  -- clean files, per version
 * UNION ALL
 * SELECT id, timestamp, <columns as of today> FROM <relation>  -- live rows of tombstoned files
 * UNION ALL
 * SELECT r.* EXCLUDE (__miniodb_seq) FROM (<tombstoned files> UNION ALL <buffered rows>) AS r
 *   ANTI JOIN <tombstones> AS t ON t.id = r.id AND t.seq >= r.__miniodb_seq
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
    tableRowsSelect(source, { sequence: false })
  );
}

/**
 * The live rows of a table's files and buffered rows, in no particular order: what the view shows
 * (and, with their sequence column, what compaction writes back). Without `sequence` the clean
 * files are read without that column and no wrapper drops it: a count over a clean table is then
 * one projection over the scan.
 */
export function tableRowsSelect(source: TableViewSource, { sequence = true } = {}): string {
  const tombstones = source.tombstonesPath;
  const groups = source.fileGroups.filter((group) => group.paths.length > 0 || group.relation !== undefined);
  const clean = groups
    .filter((group) => tombstones === undefined || !group.tombstoned || group.relation !== undefined)
    .map((group) => fileGroupSelect(group, source.columns, sequence));
  // The anti-join needs every row's sequence.
  const dirty = groups
    .filter((group) => tombstones !== undefined && group.tombstoned && group.relation === undefined)
    .map((group) => fileGroupSelect(group, source.columns, true));
  const withoutSequence = sequence ? "" : ` EXCLUDE (${quoteIdentifier(SEQUENCE_COLUMN)})`;
  if (source.bufferPath !== undefined) {
    const rows = rowLinesSelect(source.bufferPath, source.columns, source.maxLineBytes);
    if (tombstones === undefined) clean.push(`SELECT *${withoutSequence} FROM (${rows})`);
    else dirty.push(`SELECT * FROM (${rows})`);
  }
  const parts = [...clean];
  if (dirty.length > 0) {
    const id = quoteIdentifier(ID_COLUMN);
    const sequenceColumn = quoteIdentifier(SEQUENCE_COLUMN);
    parts.push(
      `SELECT r.*${withoutSequence} FROM (${dirty.join(" UNION ALL ")}) AS r ` +
        `ANTI JOIN (${tombstonesSelect(tombstones!)}) AS t ON t.id = r.${id} AND t.seq >= r.${sequenceColumn}`,
    );
  }
  if (parts.length === 0) parts.push(emptySelect(source.columns, sequence));
  const rows = parts.join(" UNION ALL ");
  if (source.minTimestamp === undefined) return rows;
  const cutoff = Math.trunc(source.minTimestamp);
  return `SELECT * FROM (${rows}) WHERE ${quoteIdentifier(TIMESTAMP_COLUMN)} >= make_timestamp(${cutoff})`;
}

function fileGroupSelect(group: ParquetFileGroup, columns: readonly ColumnDef[], sequence: boolean): string {
  const stored = new Map(group.columns.map((column) => [column.name, column.type]));
  const selections = (
    sequence ? [ID_COLUMN, TIMESTAMP_COLUMN, SEQUENCE_COLUMN] : [ID_COLUMN, TIMESTAMP_COLUMN]
  ).map(quoteIdentifier);
  for (const column of columns) {
    const from = stored.get(column.name);
    selections.push(`${convert(column.name, from, column.type)} AS ${quoteIdentifier(column.name)}`);
  }
  const from = group.relation ?? `read_parquet([${group.paths.map(quoteLiteral).join(", ")}])`;
  return `SELECT ${selections.join(", ")} FROM ${from}`;
}

/** A stored column as today's type; `from` undefined means the files predate the column. */
function convert(name: string, from: ColumnType | undefined, to: ColumnType): string {
  const column = quoteIdentifier(name);
  if (from === undefined) return `NULL::${TYPE_SQL[to]}`;
  if (from === to) return column;
  if (to === "JSON") return `to_json(${column})`;
  return `CAST(${column} AS ${TYPE_SQL[to]})`;
}

function emptySelect(columns: readonly ColumnDef[], sequence: boolean): string {
  const selections = [
    `NULL::VARCHAR AS ${quoteIdentifier(ID_COLUMN)}`,
    `NULL::TIMESTAMP AS ${quoteIdentifier(TIMESTAMP_COLUMN)}`,
    ...(sequence ? [`NULL::UBIGINT AS ${quoteIdentifier(SEQUENCE_COLUMN)}`] : []),
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
