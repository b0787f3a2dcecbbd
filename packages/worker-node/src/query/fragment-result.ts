import { randomUUID } from "node:crypto";
import { quoteSqlIdentifier, quoteSqlLiteral, type EngineSession } from "@miniodb/executor";
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
 * Column types whose VARCHAR rendering casts back to the same value: integers of every width,
 * DOUBLE and FLOAT (DuckDB prints the shortest text that reads back exactly), DECIMAL, BOOLEAN,
 * VARCHAR and JSON, UUID, DATE, TIME, TIMESTAMP (every precision; WITH TIME ZONE prints its
 * offset) and INTERVAL, and lists of them (DuckDB quotes list items that need it, e.g. the
 * partial sets of COUNT(DISTINCT)). Other nested types and binary ones travel as Parquet.
 */
const TEXT_EXACT =
  /^(?:U?(?:TINY|SMALL|BIG|HUGE)?INT(?:EGER)?|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\)|BOOLEAN|VARCHAR|JSON|UUID|DATE|TIME|TIMESTAMP(?:_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE|INTERVAL)(?:\[\])?$/;

/** Whether every column of the fragment's result reads back exactly from its text. */
export function textExact(columns: DescribedFragment["columns"]): boolean {
  return columns.every((column) => TEXT_EXACT.test(column.type));
}

/** Types Parquet cannot hold exactly: shipped as text and cast back by the query node. */
const INEXACT_IN_PARQUET = /\bU?HUGEINT\b/g;

/**
 * Runs the fragment and keeps its result for sending. A result of at most `inlineMaxCells` cells
 * (rows × columns) whose columns all read back exactly from text (and hold no NUL character,
 * which SQL text cannot carry) comes back as text by column:
 * no Parquet file is written here nor read by the query node. To know its size before choosing,
 * such a result is first held in a temporary table. Anything else is written to `parquetPath`
 * (ZSTD), HUGEINT columns as text.
 */
export async function collectFragmentResult(
  session: EngineSession,
  fragment: DescribedFragment,
  parquetPath: () => Promise<string>,
  inlineMaxCells: number,
): Promise<FragmentResult> {
  const width = Math.max(1, fragment.columns.length);
  if (inlineMaxCells < width || !textExact(fragment.columns)) {
    const path = await parquetPath();
    return {
      kind: "parquet",
      path,
      rowCount: await copyToParquet(session, fragment, fragment.statement, path),
    };
  }
  const table = quoteSqlIdentifier(`fragment_result_${randomUUID().replaceAll("-", "")}`);
  try {
    await session.run(`CREATE TEMP TABLE ${table} AS ${fragment.statement}`);
    const { rows } = await session.readAll(`SELECT count(*) AS n FROM ${table}`);
    const rowCount = Number(rows[0]?.["n"] ?? 0);
    if (rowCount * width > inlineMaxCells) {
      const path = await parquetPath();
      return {
        kind: "parquet",
        path,
        rowCount: await copyToParquet(session, fragment, `SELECT * FROM ${table}`, path),
      };
    }
    const texts = fragment.columns.map(
      (column) => `CAST(${quoteSqlIdentifier(column.name)} AS VARCHAR) AS ${quoteSqlIdentifier(column.name)}`,
    );
    const columns: (string | null)[][] = fragment.columns.map(() => []);
    for await (const batch of session.streamColumns(`SELECT ${texts.join(", ")} FROM ${table}`))
      batch.values.forEach((values, index) => columns[index]!.push(...(values as (string | null)[])));
    // SQL text cannot hold a NUL character: such a result travels as Parquet.
    if (columns.some((values) => values.some((value) => value?.includes("\u0000")))) {
      const path = await parquetPath();
      return {
        kind: "parquet",
        path,
        rowCount: await copyToParquet(session, fragment, `SELECT * FROM ${table}`, path),
      };
    }
    return { kind: "text", columns, rowCount };
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  }
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
