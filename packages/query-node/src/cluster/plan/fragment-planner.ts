import { ID_COLUMN, quoteSqlIdentifier, type EngineSession } from "@miniodb/executor";
import { splitAggregate, PARTIALS_VIEW } from "./aggregate-split.js";
import type { Node } from "./parse-nodes.js";
import {
  allColumnsView,
  createEmptyViews,
  describe,
  deserialize,
  dropViews,
  sameColumns,
  tryAggregate,
  viewColumns,
  type AggregatePlan,
  type Described,
  type PlannedTable,
} from "./planning-session.js";
import { limitedRows, referencedColumns, rowShippingNode } from "./row-shipping.js";
import { planStaged, type StagedPlan } from "./staged-plan.js";

export type { AggregatePlan, PlannedTable } from "./planning-session.js";
export type { Stage, StagedPlan } from "./staged-plan.js";

/** Each worker ships rows of every table (`workerSql` by table); the coordinator runs the query over them. */
export interface RowsPlan {
  readonly kind: "rows";
  readonly workerSql: ReadonlyMap<string, string>;
  /** Rows a worker's result of a table has at most (top-N queries), by table; absent when not known. */
  readonly workerRowsAtMost: ReadonlyMap<string, number>;
  readonly statement: string;
}

export type FragmentPlan = AggregatePlan | RowsPlan | StagedPlan;

export { PARTIALS_VIEW };

/**
 * Decides how a checked query runs across workers, with DuckDB's parser and binder on an engine
 * session: a single-table aggregate is split into partial aggregates (splitAggregate) when the
 * merged statement binds to exactly the original's column names and types; an aggregate over one
 * table joined with aggregate subqueries runs in stages (planStaged): the subqueries first, their
 * small results then joined on every worker; anything else ships each table's rows, projected to
 * the columns the query names and filtered by its WHERE clause where that is exact
 * (row-shipping), or all of them when the projection does not bind alike. Leaves no views behind.
 */
export async function planFragments(
  session: EngineSession,
  tree: Node,
  sql: string,
  tables: readonly PlannedTable[],
  aggregateNames: ReadonlySet<string>,
): Promise<FragmentPlan> {
  const statement = (tree["statements"] as Node[])[0]!["node"] as Node;
  const views = [
    ...tables.map((table) => table.name),
    ...tables.map((table) => allColumnsView(table.name)),
    PARTIALS_VIEW,
  ];
  let original: readonly Described[];
  let rows: RowsPlan;
  try {
    await createEmptyViews(session, tables, undefined);
    const canonical = await session.canonicalSql(sql);
    original = await describe(session, canonical);
    const split =
      tables.length === 1
        ? splitAggregate(
            statement,
            aggregateNames,
            new Set(viewColumns(tables[0]!).map((column) => column.toLowerCase())),
          )
        : undefined;
    if (split) {
      const plan = await tryAggregate(session, tree, split, original);
      if (plan) return plan;
    }
    rows = await planRows(session, tree, statement, sql, canonical, tables, original);
  } finally {
    await dropViews(session, views);
  }
  const staged = await planStaged(session, tree, statement, tables, aggregateNames, {
    original,
    fallback: rows,
    planSubquery: planFragments,
  });
  return staged ?? rows;
}

/** Ships each table's rows (see planFragments); the caller made the tables' row-less views. */
async function planRows(
  session: EngineSession,
  tree: Node,
  statement: Node,
  sql: string,
  canonical: string,
  tables: readonly PlannedTable[],
  original: readonly Described[],
): Promise<RowsPlan> {
  const projections = new Map<string, readonly string[]>();
  for (const table of tables) {
    const names = referencedColumns(statement, table.name);
    const all = viewColumns(table);
    if (!names) continue;
    const kept = all.filter((column) => names.has(column.toLowerCase()));
    projections.set(table.name, kept.length > 0 ? kept : [ID_COLUMN]);
  }
  if (projections.size > 0) {
    await createEmptyViews(session, tables, projections);
    const projected = await describe(session, canonical).catch(() => undefined);
    if (!projected || !sameColumns(projected, original)) projections.clear();
  }
  const workerSql = new Map<string, string>();
  const workerRowsAtMost = new Map<string, number>();
  for (const table of tables) {
    const columns = projections.get(table.name) ?? viewColumns(table);
    const node = rowShippingNode(statement, table.name, columns);
    const limited = node ? limitedRows(node) : undefined;
    if (limited !== undefined) workerRowsAtMost.set(table.name, limited);
    workerSql.set(
      table.name,
      node
        ? await deserialize(session, tree, node)
        : `SELECT ${columns.map(quoteSqlIdentifier).join(", ")} FROM ${quoteSqlIdentifier(table.name)}`,
    );
  }
  return { kind: "rows", workerSql, workerRowsAtMost, statement: sql };
}
