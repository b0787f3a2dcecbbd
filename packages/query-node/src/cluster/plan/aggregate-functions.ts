import type { EngineSession } from "@miniodb/executor";

/** Names (lower case) of DuckDB's aggregate functions, built-in and macro alike. */
export async function aggregateFunctionNames(session: EngineSession): Promise<Set<string>> {
  const { rows } = await session.readAll(
    "SELECT DISTINCT lower(function_name) AS name FROM duckdb_functions() WHERE function_type = 'aggregate'",
  );
  return new Set(rows.map((row) => String(row["name"])));
}
