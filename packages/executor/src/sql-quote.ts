/**
 * Quoting for SQL text built from values we do not control (payload keys, file paths).
 *
 * DuckDB follows the standard: a double quote inside a quoted identifier is doubled, a single
 * quote inside a string literal is doubled, and backslashes are ordinary characters. Nothing else
 * needs escaping; a NUL character cannot appear in SQL text at all (payload keys exclude it).
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal holding `value` exactly. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
