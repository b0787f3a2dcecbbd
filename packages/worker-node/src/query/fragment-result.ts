import {
  quoteSqlIdentifier,
  quoteSqlLiteral,
  readsBackFromText,
  type EngineSession,
} from "@miniodb/executor";
import type { DescribedFragment } from "./fragment-statement-cache.js";

/** A fragment's result, ready to send: inline by column as text, or a Parquet file. */
export type FragmentResult =
  | {
      readonly kind: "text";
      readonly columns: readonly (readonly (string | null)[])[];
      readonly rowCount: number;
    }
  | { readonly kind: "parquet"; readonly path: string; readonly rowCount: number };

/**
 * Largest inline result, in UTF-8 bytes of its text (about): one response message carries it, and
 * the query node reads messages of at most limits.max_request_bytes. Larger ones travel as Parquet,
 * in chunks.
 */
export const INLINE_MAX_BYTES = 4 * 1024 * 1024;

/** Whether every column of the fragment's result reads back exactly from its text. */
export function textExact(columns: DescribedFragment["columns"]): boolean {
  return columns.every((column) => readsBackFromText(column.type));
}

/**
 * The temporary table a connection holds its fragment's result in while choosing how to send it.
 * Table names start with a letter, so no table's view can meet this name.
 */
const RESULT_TABLE = quoteSqlIdentifier("__miniodb_fragment_result");

/** Types Parquet cannot hold exactly: shipped as text and cast back by the query node. */
const INEXACT_IN_PARQUET = /\bU?HUGEINT\b/g;

/** What decides how a fragment's result travels. */
export interface ResultLimits {
  /** Largest result, in cells (rows × columns), sent inline; 0: always Parquet. */
  readonly inlineMaxCells: number;
  /** The rows the fragment is expected to return (ExecuteFragmentRequest.expected_rows; 0: unknown). */
  readonly expectedRows: number;
}

/**
 * Runs the fragment and keeps its result for sending. A result of at most `inlineMaxCells` cells
 * (rows × columns) whose columns all read back exactly from text (and hold no NUL character,
 * which SQL text cannot carry) comes back as text by column: no Parquet file is written here nor
 * read by the query node. A result expected to fit (`expectedRows`) is read straight away up to
 * one row past the limit, and run again into Parquet if it did not fit after all; one expected
 * not to fit goes straight to Parquet; one of unknown size is first held in a temporary table and
 * read up to one row past the limit, in one round trip to DuckDB, to know which way it goes. Anything else
 * is written to `parquetPath` (ZSTD), HUGEINT columns as text.
 */
export async function collectFragmentResult(
  session: EngineSession,
  fragment: DescribedFragment,
  parquetPath: () => Promise<string>,
  limits: ResultLimits,
): Promise<FragmentResult> {
  const parquet = async (source: string): Promise<FragmentResult> => {
    const path = await parquetPath();
    return { kind: "parquet", path, rowCount: await copyToParquet(session, fragment, source, path) };
  };
  const maxRows = Math.floor(limits.inlineMaxCells / Math.max(1, fragment.columns.length));
  if (maxRows === 0 || !textExact(fragment.columns)) return parquet(fragment.statement);
  const texts = fragment.columns.map(
    (column) => `CAST(${quoteSqlIdentifier(column.name)} AS VARCHAR) AS ${quoteSqlIdentifier(column.name)}`,
  );
  if (limits.expectedRows > maxRows) return parquet(fragment.statement);
  if (limits.expectedRows > 0) {
    const text = await readText(
      session,
      `SELECT ${texts.join(", ")} FROM (${fragment.statement}) LIMIT ${maxRows + 1}`,
    );
    return text && text.rowCount <= maxRows ? text : parquet(fragment.statement);
  }
  // One statement holds the result and reads it up to one row past the limit. A small result's
  // table stays (each connection has its own, replaced by its next fragment); a large one's is
  // dropped once written.
  const text = await readText(
    session,
    `CREATE OR REPLACE TEMP TABLE ${RESULT_TABLE} AS ${fragment.statement};\n` +
      `SELECT ${texts.join(", ")} FROM ${RESULT_TABLE} LIMIT ${maxRows + 1}`,
  );
  if (text && text.rowCount <= maxRows) return text;
  try {
    return await parquet(`SELECT * FROM ${RESULT_TABLE}`);
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${RESULT_TABLE}`).catch(() => undefined);
  }
}

/**
 * The rows of `sql` (all VARCHAR) by column; undefined when a value holds a NUL character or the
 * text exceeds INLINE_MAX_BYTES.
 */
async function readText(session: EngineSession, sql: string): Promise<FragmentResult | undefined> {
  const { values, rowCount } = await session.readColumns(sql);
  const columns = values as (string | null)[][];
  // SQL text cannot hold a NUL character: such a result travels as Parquet.
  let length = 0;
  for (const column of columns)
    for (const value of column) {
      if (value === null) continue;
      if (value.includes("\u0000")) return undefined;
      // UTF-16 code units: at most 3 UTF-8 bytes each.
      length += value.length;
      if (length * 3 > INLINE_MAX_BYTES) return undefined;
    }
  return { kind: "text", columns, rowCount };
}

/** Writes the rows of `source` (a statement) to `path` as Parquet; returns how many. */
async function copyToParquet(
  session: EngineSession,
  fragment: DescribedFragment,
  source: string,
  path: string,
): Promise<number> {
  const selections = fragment.columns.map((column) => {
    const name = quoteSqlIdentifier(column.name);
    if (!column.type.match(INEXACT_IN_PARQUET)) return name;
    return `CAST(${name} AS ${column.type.replace(INEXACT_IN_PARQUET, "VARCHAR")}) AS ${name}`;
  });
  const { rows } = await session.readAll(
    `COPY (SELECT ${selections.join(", ")} FROM (${source})) TO ${quoteSqlLiteral(path)} ` +
      "(FORMAT parquet, COMPRESSION zstd)",
  );
  return Number(Object.values(rows[0] ?? {})[0] ?? 0);
}
