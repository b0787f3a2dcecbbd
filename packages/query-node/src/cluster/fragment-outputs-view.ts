import { MiniodbError } from "@miniodb/core";
import { quoteSqlIdentifier, quoteSqlLiteral } from "@miniodb/executor";
import type { FragmentOutput } from "./fragment-dispatch.js";

/**
 * The statement creating `view` over the fragments' results, each column cast back to the DuckDB
 * type the workers reported: the Parquet files in one `read_parquet`, and the inline results in
 * one `VALUES` list of their text (DuckDB's own rendering, which casts back exactly).
 */
export function fragmentOutputsView(view: string, outputs: readonly FragmentOutput[]): string {
  if (outputs.length === 0) {
    throw new MiniodbError("unavailable", "no worker answered the query; retry once one is up");
  }
  const columns = outputs[0]!.columns;
  const casts = (names: readonly string[]) =>
    columns.map(
      (column, index) => `CAST(${names[index]!} AS ${column.type}) AS ${quoteSqlIdentifier(column.name)}`,
    );
  const parts: string[] = [];
  const files = outputs.flatMap((output) =>
    output.path === undefined ? [] : [quoteSqlLiteral(output.path)],
  );
  if (files.length > 0) {
    const names = columns.map((column) => quoteSqlIdentifier(column.name));
    parts.push(`SELECT ${casts(names).join(", ")} FROM read_parquet([${files.join(", ")}])`);
  }
  const tuples = outputs.flatMap((output) => (output.text ? rowTuples(output.text) : []));
  if (tuples.length > 0) {
    const names = columns.map((_, index) => `c${index}`);
    parts.push(
      `SELECT ${casts(names).join(", ")} FROM (VALUES ${tuples.join(", ")}) AS inline_rows(${names.join(", ")})`,
    );
  }
  if (parts.length === 0) {
    const nulls = casts(columns.map(() => "NULL"));
    parts.push(`SELECT ${nulls.join(", ")} WHERE false`);
  }
  return `CREATE OR REPLACE TEMP VIEW ${quoteSqlIdentifier(view)} AS ${parts.join(" UNION ALL ")}`;
}

/** `(text, text, …)` per row of columns of text, NULL for null. */
function rowTuples(text: readonly (readonly (string | null)[])[]): string[] {
  const rows = text[0]?.length ?? 0;
  const tuples: string[] = [];
  for (let row = 0; row < rows; row++) {
    const values = text.map((values) => {
      const value = values[row];
      return value === null || value === undefined ? "NULL" : quoteSqlLiteral(value);
    });
    tuples.push(`(${values.join(", ")})`);
  }
  return tuples;
}
