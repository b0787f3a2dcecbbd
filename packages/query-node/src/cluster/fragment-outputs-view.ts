import { MiniodbError } from "@miniodb/core";
import { quoteSqlIdentifier, quoteSqlLiteral } from "@miniodb/executor";
import type { FragmentOutput } from "./fragment-dispatch.js";

/**
 * Inline rows up to this many go into the view's SQL as a `VALUES` list; more go into a temporary
 * table through DuckDB's appender. DuckDB binds a `VALUES` list slowly (tens of milliseconds for a
 * thousand rows) but a table costs a few milliseconds to create and drop whatever its size.
 */
export const MAX_VALUES_ROWS = 100;

/** How to make the view over the fragments' results: first the table, if any, then the statement. */
export interface OutputsView {
  readonly statement: string;
  /** A temporary table to create first (EngineSession.createTextTable) and to drop afterwards. */
  readonly inlineTable?: { readonly name: string; readonly columns: readonly (readonly (string | null)[])[] };
}

/**
 * The statement creating `view` over the fragments' results, each column cast back to the DuckDB
 * type the workers reported: the Parquet files in one `read_parquet`, and the inline results' text
 * (DuckDB's own rendering, which casts back exactly) in a `VALUES` list or, for more than
 * MAX_VALUES_ROWS rows, in the temporary table `tableName`.
 */
export function fragmentOutputsView(
  view: string,
  outputs: readonly FragmentOutput[],
  tableName: string,
): OutputsView {
  if (outputs.length === 0) {
    throw new MiniodbError("unavailable", "no worker answered the query; retry once one is up");
  }
  const columns = outputs[0]!.columns;
  const casts = (names: readonly string[]) =>
    columns.map(
      (column, index) => `CAST(${names[index]!} AS ${column.type}) AS ${quoteSqlIdentifier(column.name)}`,
    );
  const positional = columns.map((_, index) => `c${index}`);
  const parts: string[] = [];
  const files = outputs.flatMap((output) =>
    output.path === undefined ? [] : [quoteSqlLiteral(output.path)],
  );
  if (files.length > 0) {
    const names = columns.map((column) => quoteSqlIdentifier(column.name));
    parts.push(`SELECT ${casts(names).join(", ")} FROM read_parquet([${files.join(", ")}])`);
  }
  const inline = columns.map((_, index) => outputs.flatMap((output) => output.text?.[index] ?? []));
  const rows = inline[0]?.length ?? 0;
  let inlineTable: OutputsView["inlineTable"];
  if (rows > MAX_VALUES_ROWS) {
    inlineTable = { name: tableName, columns: inline };
    parts.push(`SELECT ${casts(positional).join(", ")} FROM ${quoteSqlIdentifier(tableName)}`);
  } else if (rows > 0) {
    const tuples = rowTuples(inline, rows);
    parts.push(
      `SELECT ${casts(positional).join(", ")} FROM (VALUES ${tuples.join(", ")}) AS inline_rows(${positional.join(", ")})`,
    );
  }
  if (parts.length === 0) parts.push(`SELECT ${casts(columns.map(() => "NULL")).join(", ")} WHERE false`);
  const statement = `CREATE OR REPLACE TEMP VIEW ${quoteSqlIdentifier(view)} AS ${parts.join(" UNION ALL ")}`;
  return inlineTable ? { statement, inlineTable } : { statement };
}

/** `(text, text, …)` per row of columns of text, NULL for null. */
function rowTuples(columns: readonly (readonly (string | null)[])[], rows: number): string[] {
  const tuples: string[] = [];
  for (let row = 0; row < rows; row++) {
    const values = columns.map((values) => {
      const value = values[row];
      return value === null || value === undefined ? "NULL" : quoteSqlLiteral(value);
    });
    tuples.push(`(${values.join(", ")})`);
  }
  return tuples;
}
