import {
  quoteSqlIdentifier,
  quoteSqlLiteral,
  readsBackFromText,
  type EngineSession,
} from "@miniodb/executor";
import { PARTIALS_VIEW, splitAggregate } from "./aggregate-split.js";
import { clone, nodesOf, type Node } from "./parse-nodes.js";
import {
  allColumnsView,
  createEmptyViews,
  describe,
  deserialize,
  dropViews,
  tryAggregate,
  viewColumns,
  type AggregatePlan,
  type Described,
  type PlannedTable,
} from "./planning-session.js";
import type { FragmentPlan, RowsPlan } from "./fragment-planner.js";

/** A subquery of the FROM clause computed across the workers before the statement that joins it. */
export interface Stage {
  /** The name the outer statement's workers read the stage's result by (a CTE of their statement). */
  readonly name: string;
  readonly plan: AggregatePlan;
  /** The subquery's result columns, which the CTE gives the same names and types. */
  readonly columns: readonly Described[];
}

/**
 * An aggregate over one table joined with aggregate subqueries: each subquery runs first as an
 * aggregate plan of its own and is merged on the coordinator; its result, at most STAGE_MAX_ROWS
 * rows and STAGE_MAX_TEXT_BYTES of text, then goes to every worker within the outer statement (a
 * CTE in place of the subquery), which is split into partial aggregates like a single-table one.
 * A stage result larger than that runs `fallback` instead.
 */
export interface StagedPlan {
  readonly kind: "staged";
  readonly stages: readonly Stage[];
  /** Over the table, joined with the stages' results by their names. */
  readonly outer: AggregatePlan;
  readonly fallback: RowsPlan;
}

/** Most rows of a stage's result sent to the workers (a VALUES list each of them binds). */
export const STAGE_MAX_ROWS = 500;

/** Most bytes of a stage's result as text sent to the workers, within every worker's request. */
export const STAGE_MAX_TEXT_BYTES = 256 * 1024;

const STAGE_PREFIX = "__miniodb_stage_";

export interface StagedPlanning {
  /** The original statement's columns. */
  readonly original: readonly Described[];
  readonly fallback: RowsPlan;
  /** Plans a subquery on its own (planFragments). */
  readonly planSubquery: (
    session: EngineSession,
    tree: Node,
    sql: string,
    tables: readonly PlannedTable[],
    aggregateNames: ReadonlySet<string>,
  ) => Promise<FragmentPlan>;
}

/**
 * The staged plan of `statement` (see StagedPlan), or undefined when it is not one: a SELECT
 * without CTEs whose FROM clause joins one table (as partitionedLeaf allows) with subqueries that
 * each read tables of the query, bind on their own (no outer references), hold no COLLATE and
 * split into partial aggregates without floating-point partials, with results of distinct column
 * names and types that read back exactly from text; the outer statement, with a row-less view in
 * place of each subquery, must split too and bind to the original's columns.
 */
export async function planStaged(
  session: EngineSession,
  tree: Node,
  statement: Node,
  tables: readonly PlannedTable[],
  aggregateNames: ReadonlySet<string>,
  planning: StagedPlanning,
): Promise<StagedPlan | undefined> {
  if (statement["type"] !== "SELECT_NODE") return undefined;
  if (((statement["cte_map"] as { map?: unknown[] } | undefined)?.map ?? []).length > 0) return undefined;
  const outer = clone(statement);
  const refs = subqueryRefs(outer["from_table"] as Node | null);
  if (refs.length === 0) return undefined;
  const planned = await planStages(session, tree, refs, tables, aggregateNames, planning).catch(
    () => undefined,
  );
  if (!planned) return undefined;
  const views = [
    ...tables.map((table) => table.name),
    ...tables.map((table) => allColumnsView(table.name)),
    ...planned.map((stage) => stage.name),
    PARTIALS_VIEW,
  ];
  try {
    await createEmptyViews(session, tables, undefined);
    const stages: Stage[] = [];
    for (const { name, plan, sql } of planned) {
      const columns = await describe(session, sql);
      const names = new Set(columns.map((column) => column.name.toLowerCase()));
      if (names.size !== columns.length || !columns.every((column) => readsBackFromText(column.type)))
        return undefined;
      // Partial sums of floating-point values add up in another order than one node's: the
      // result would differ in its last bits, and a comparison with it could pick other rows.
      const partials = await describe(session, plan.workerSql);
      if (partials.some((column) => /^(FLOAT|DOUBLE|REAL)\b/.test(column.type))) return undefined;
      stages.push({ name, plan, columns });
      await session.run(`CREATE OR REPLACE TEMP VIEW ${quoteSqlIdentifier(name)} AS ${emptySelect(columns)}`);
    }
    refs.forEach((ref, index) => replaceWithTable(ref, stages[index]!.name));
    const columnNames = new Set([
      ...tables.flatMap((table) => viewColumns(table)),
      ...stages.flatMap((stage) => stage.columns.map((column) => column.name)),
      ...refs.flatMap((ref) => ref["column_name_alias"] as string[]),
    ]);
    const split = splitAggregate(
      outer,
      aggregateNames,
      new Set([...columnNames].map((name) => name.toLowerCase())),
      new Set(stages.map((stage) => stage.name.toLowerCase())),
    );
    if (!split || !tables.some((table) => table.name.toLowerCase() === split.table.toLowerCase()))
      return undefined;
    const plan = await tryAggregate(session, tree, split, planning.original);
    if (!plan) return undefined;
    return { kind: "staged", stages, outer: plan, fallback: planning.fallback };
  } catch {
    return undefined;
  } finally {
    await dropViews(session, views);
  }
}

/**
 * The outer statement a worker runs: `outer.workerSql` under one CTE per stage holding its result,
 * given as DuckDB's text of each value by row (null for NULL) and cast back to the stage's types.
 */
export function stagedWorkerSql(
  plan: StagedPlan,
  results: readonly (readonly (readonly (string | null)[])[])[],
): string {
  const ctes = plan.stages.map((stage, index) => {
    const rows = results[index]!;
    const body = rows.length === 0 ? emptySelect(stage.columns) : valuesSelect(stage.columns, rows);
    return `${quoteSqlIdentifier(stage.name)} AS (${body})`;
  });
  return `WITH ${ctes.join(", ")} ${plan.outer.workerSql}`;
}

function valuesSelect(columns: readonly Described[], rows: readonly (readonly (string | null)[])[]): string {
  const positional = columns.map((_, index) => `c${index}`);
  const casts = columns.map(
    (column, index) => `CAST(${positional[index]} AS ${column.type}) AS ${quoteSqlIdentifier(column.name)}`,
  );
  const tuples = rows.map(
    (row) => `(${row.map((value) => (value === null ? "NULL" : quoteSqlLiteral(value))).join(", ")})`,
  );
  return `SELECT ${casts.join(", ")} FROM (VALUES ${tuples.join(", ")}) AS stage_rows(${positional.join(", ")})`;
}

function emptySelect(columns: readonly Described[]): string {
  const nulls = columns.map((column) => `CAST(NULL AS ${column.type}) AS ${quoteSqlIdentifier(column.name)}`);
  return `SELECT ${nulls.join(", ")} WHERE false`;
}

/** Each subquery's own aggregate plan; undefined when one is not a splittable aggregate. */
async function planStages(
  session: EngineSession,
  tree: Node,
  refs: readonly Node[],
  tables: readonly PlannedTable[],
  aggregateNames: ReadonlySet<string>,
  planning: StagedPlanning,
): Promise<Array<{ name: string; plan: AggregatePlan; sql: string }> | undefined> {
  const planned: Array<{ name: string; plan: AggregatePlan; sql: string }> = [];
  for (const [index, ref] of refs.entries()) {
    const node = (ref["subquery"] as Node | undefined)?.["node"] as Node | undefined;
    if (!node || ref["sample"]) return undefined;
    // DESCRIBE does not show a collation: the stage's column would come back without it.
    if ([...nodesOf(node)].some((candidate) => candidate["class"] === "COLLATE")) return undefined;
    const subTables = tables.filter((table) => readsTable(node, table.name));
    if (subTables.length === 0) return undefined;
    const subTree = { ...tree, statements: [{ ...(tree["statements"] as Node[])[0], node }] };
    const sql = await deserialize(session, tree, node);
    const plan = await planning.planSubquery(session, subTree, sql, subTables, aggregateNames);
    if (plan.kind !== "aggregate") return undefined;
    planned.push({ name: `${STAGE_PREFIX}${index}`, plan, sql });
  }
  return planned;
}

/** The SUBQUERY relations of a FROM clause's join tree (not those inside its conditions). */
function subqueryRefs(from: Node | null): Node[] {
  if (!from) return [];
  if (from["type"] === "SUBQUERY") return [from];
  if (from["type"] !== "JOIN") return [];
  return [...subqueryRefs(from["left"] as Node), ...subqueryRefs(from["right"] as Node)];
}

function readsTable(node: Node, table: string): boolean {
  const folded = table.toLowerCase();
  for (const candidate of nodesOf(node))
    if (candidate["type"] === "BASE_TABLE" && String(candidate["table_name"]).toLowerCase() === folded)
      return true;
  return false;
}

/** Turns a SUBQUERY relation into a reference to `name`, keeping its alias and column aliases. */
function replaceWithTable(ref: Node, name: string): void {
  const { alias, column_name_alias: columnAliases, query_location: location } = ref;
  for (const key of Object.keys(ref)) delete ref[key];
  Object.assign(ref, {
    type: "BASE_TABLE",
    alias,
    sample: null,
    query_location: location,
    schema_name: "",
    table_name: name,
    column_name_alias: columnAliases ?? [],
    catalog_name: "",
    at_clause: null,
  });
}
