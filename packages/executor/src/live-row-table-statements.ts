import type { EngineSession } from "./engine-session.js";
import { ID_COLUMN, SEQUENCE_COLUMN } from "./parquet-copy-statement.js";
import { quoteIdentifier, quoteLiteral } from "./sql-quote.js";

/** The column of a live-row table telling which of its source files a row came from. */
export const LIVE_FILE_COLUMN = "__miniodb_file";

const TOMBSTONES_TABLE = "__miniodb_live_tombstones";

/**
 * Creates table `name` (qualified) with the rows of the Parquet files at `paths`, each numbered by
 * its place in `paths` in LIVE_FILE_COLUMN, then deletes the rows `hidden` hides (an id's rows up
 * to its sequence). Each file is inserted on its own with its number given here: DuckDB's
 * `file_index` virtual column would be shadowed by a payload column of that name.
 */
export async function fillLiveRowTable(
  session: EngineSession,
  name: string,
  paths: readonly string[],
  hidden: ReadonlyMap<string, bigint>,
): Promise<void> {
  for (const [index, path] of paths.entries()) {
    const rows = `SELECT *, ${index}::INTEGER AS ${quoteIdentifier(LIVE_FILE_COLUMN)} FROM read_parquet(${quoteLiteral(path)})`;
    await session.run(
      index === 0 ? `CREATE TABLE ${name} AS ${rows}` : `INSERT INTO ${name} BY NAME ${rows}`,
    );
  }
  if (hidden.size === 0) return;
  const ids = [...hidden.keys()];
  await session.run(`DROP TABLE IF EXISTS ${TOMBSTONES_TABLE}`);
  try {
    await session.createTextTable(TOMBSTONES_TABLE, [ids, ids.map((id) => hidden.get(id)!.toString())]);
    await session.run(
      `DELETE FROM ${name} AS r USING (SELECT c0 AS id, CAST(c1 AS UBIGINT) AS seq FROM ${TOMBSTONES_TABLE}) AS t ` +
        `WHERE r.${quoteIdentifier(ID_COLUMN)} = t.id AND r.${quoteIdentifier(SEQUENCE_COLUMN)} <= t.seq`,
    );
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${TOMBSTONES_TABLE}`);
  }
}
