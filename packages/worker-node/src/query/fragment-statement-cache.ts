import { LRUCache } from "lru-cache";
import { MiniodbError } from "@miniodb/core";
import { tableViewStatement, type EngineSession, type TableViewSource } from "@miniodb/executor";

/** A fragment's statement as DuckDB renders it, and its result columns with their DuckDB types. */
export interface DescribedFragment {
  readonly statement: string;
  readonly columns: readonly { name: string; type: string }[];
}

/** Most fragments a cache keeps. */
const DEFAULT_CAPACITY = 256;
/** Longer fragments are described every time (they rarely repeat). */
const MAX_CACHED_SQL_LENGTH = 16_384;

/**
 * The rendering and result columns of recently run fragments. Both depend only on the SQL and on
 * the shape of the views it reads (their columns and which kinds of sources they union: files by
 * schema version and tombstoning, buffered rows, tombstones, a retention window), never on which
 * files or rows they hold; so a fragment repeated over other files or another capture skips
 * DuckDB's rendering and DESCRIBE round trips. Views must exist on the session when describing.
 */
export class FragmentStatementCache {
  readonly #described: LRUCache<string, DescribedFragment>;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#described = new LRUCache({ max: capacity });
  }

  async describe(
    session: EngineSession,
    sql: string,
    views: readonly TableViewSource[],
  ): Promise<DescribedFragment> {
    const key = JSON.stringify([sql, views.map(viewShape)]);
    const cached = this.#described.get(key);
    if (cached) return cached;
    const described = await describeFragment(session, sql);
    if (sql.length <= MAX_CACHED_SQL_LENGTH) this.#described.set(key, described);
    return described;
  }
}

async function describeFragment(session: EngineSession, sql: string): Promise<DescribedFragment> {
  const statement = await session.canonicalSql(sql);
  const { rows } = await session.readAll(`DESCRIBE ${statement}`);
  const columns = rows.map((row) => ({ name: String(row["column_name"]), type: String(row["column_type"]) }));
  if (new Set(columns.map((column) => column.name.toLowerCase())).size !== columns.length) {
    throw new MiniodbError("invalid_argument", "a fragment's result columns must have distinct names");
  }
  return { statement, columns };
}

/**
 * The view's statement with every path and the retention cutoff replaced by placeholders: equal
 * for two views exactly when their columns and types are bound alike.
 */
export function viewShape(source: TableViewSource): string {
  return tableViewStatement({
    ...source,
    fileGroups: source.fileGroups.map((group) => ({ ...group, paths: group.paths.length > 0 ? ["f"] : [] })),
    bufferPath: source.bufferPath === undefined ? undefined : "b",
    tombstonesPath: source.tombstonesPath === undefined ? undefined : "t",
    minTimestamp: source.minTimestamp === undefined ? undefined : 0,
  });
}
