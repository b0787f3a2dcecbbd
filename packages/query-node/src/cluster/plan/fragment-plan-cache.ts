import { LRUCache } from "lru-cache";
import type { EngineSession } from "@miniodb/executor";
import { planFragments, type FragmentPlan, type PlannedTable } from "./fragment-planner.js";
import type { Node } from "./parse-nodes.js";

/** Most plans a cache keeps. */
const DEFAULT_CAPACITY = 256;
/** Longer statements are planned every time (they rarely repeat). */
const MAX_CACHED_SQL_LENGTH = 8192;

/**
 * Fragment plans of recently run queries. A plan depends on nothing but the statement's text, the
 * columns (names and types) of the tables it reads and DuckDB's aggregate functions, so a query
 * repeated over the same schemas skips the planner's parse, bind and DESCRIBE round trips; a
 * schema change (a new column, a widened type) gives another key and is planned again.
 */
export class FragmentPlanCache {
  readonly #plans: LRUCache<string, FragmentPlan>;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.#plans = new LRUCache({ max: capacity });
  }

  async plan(
    session: EngineSession,
    tree: Node,
    sql: string,
    tables: readonly PlannedTable[],
    aggregateNames: ReadonlySet<string>,
  ): Promise<FragmentPlan> {
    const key = JSON.stringify([
      sql,
      tables.map((table) => [table.name, table.columns.map((column) => [column.name, column.type])]),
    ]);
    const cached = this.#plans.get(key);
    if (cached) return cached;
    const plan = await planFragments(session, tree, sql, tables, aggregateNames);
    if (sql.length <= MAX_CACHED_SQL_LENGTH) this.#plans.set(key, plan);
    return plan;
  }
}
