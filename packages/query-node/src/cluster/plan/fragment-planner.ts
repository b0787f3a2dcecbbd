import {
  ID_COLUMN,
  quoteSqlIdentifier,
  TIMESTAMP_COLUMN,
  tableViewStatement,
  type EngineSession,
} from "@miniodb/executor";
import type { ColumnDef } from "@miniodb/core";
import { splitAggregate, PARTIALS_VIEW } from "./aggregate-split.js";
import { withAlias, type Node } from "./parse-nodes.js";
import { limitedRows, referencedColumns, rowShippingNode } from "./row-shipping.js";

/** A table a query reads, with its current payload columns. */
export interface PlannedTable {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
}

/** Each worker computes partial aggregates of one table; the coordinator runs `statement` over PARTIALS_VIEW. */
export interface AggregatePlan {
  readonly kind: "aggregate";
  readonly table: string;
  readonly workerSql: string;
  /** Rows a worker's result has at most (1 without GROUP BY); undefined when not known. */
  readonly workerRowsAtMost: number | undefined;
  readonly statement: string;
}

/** Each worker ships rows of every table (`workerSql` by table); the coordinator runs the query over them. */
export interface RowsPlan {
  readonly kind: "rows";
  readonly workerSql: ReadonlyMap<string, string>;
  /** Rows a worker's result of a table has at most (top-N queries), by table; absent when not known. */
  readonly workerRowsAtMost: ReadonlyMap<string, number>;
  readonly statement: string;
}

export type FragmentPlan = AggregatePlan | RowsPlan;

export { PARTIALS_VIEW };

interface Described {
  readonly name: string;
  readonly type: string;
}

/**
 * Decides how a checked query runs across workers, with DuckDB's parser and binder on an engine
 * session: a single-table aggregate is split into partial aggregates (splitAggregate) when the
 * merged statement binds to exactly the original's column names and types; anything else ships
 * each table's rows, projected to the columns the query names and filtered by its WHERE clause
 * where that is exact (row-shipping), or all of them when the projection does not bind alike.
 * Leaves no views behind.
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
  try {
    await createEmptyViews(session, tables, undefined);
    const canonical = await session.canonicalSql(sql);
    const original = await describe(session, canonical);
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
  } finally {
    await session
      .run(views.map((name) => `DROP VIEW IF EXISTS ${quoteSqlIdentifier(name)}`).join(";\n"))
      .catch(() => undefined);
  }
}

async function tryAggregate(
  session: EngineSession,
  tree: Node,
  split: NonNullable<ReturnType<typeof splitAggregate>>,
  original: readonly Described[],
): Promise<AggregatePlan | undefined> {
  try {
    const workerSql = await deserialize(session, tree, split.worker);
    const partials = await describe(session, workerSql);
    const items = split.merge["select_list"] as Node[];
    if (items.length !== original.length) return undefined;
    const merge = {
      ...split.merge,
      select_list: items.map((item, index) => withAlias(item, original[index]!.name)),
    };
    const statement = await deserialize(session, tree, merge);
    const selections = partials.map((column) => `NULL::${column.type} AS ${quoteSqlIdentifier(column.name)}`);
    await session.run(
      `CREATE OR REPLACE TEMP VIEW ${quoteSqlIdentifier(PARTIALS_VIEW)} AS SELECT ${selections.join(", ")} WHERE false`,
    );
    if (!sameColumns(await describe(session, statement), original)) return undefined;
    const grouped = ((split.worker["group_expressions"] as unknown[] | undefined) ?? []).length > 0;
    return {
      kind: "aggregate",
      table: split.table,
      workerSql,
      workerRowsAtMost: grouped ? undefined : 1,
      statement,
    };
  } catch {
    return undefined;
  }
}

/** The view's columns: id, timestamp, then the payload columns. */
function viewColumns(table: PlannedTable): string[] {
  return [ID_COLUMN, TIMESTAMP_COLUMN, ...table.columns.map((column) => column.name)];
}

function allColumnsView(table: string): string {
  return `${table}__miniodb_all`;
}

/** Row-less views with each table's columns (or only the projected ones), for binding. */
async function createEmptyViews(
  session: EngineSession,
  tables: readonly PlannedTable[],
  projections: ReadonlyMap<string, readonly string[]> | undefined,
): Promise<void> {
  const statements = tables.map((table) => {
    const kept = projections?.get(table.name);
    const source = { columns: table.columns, fileGroups: [], maxLineBytes: 0 };
    if (!kept) return tableViewStatement({ ...source, name: table.name });
    const all = allColumnsView(table.name);
    return (
      `${tableViewStatement({ ...source, name: all })};\n` +
      `CREATE OR REPLACE TEMP VIEW ${quoteSqlIdentifier(table.name)} AS ` +
      `SELECT ${kept.map(quoteSqlIdentifier).join(", ")} FROM ${quoteSqlIdentifier(all)}`
    );
  });
  if (statements.length > 0) await session.run(statements.join(";\n"));
}

async function describe(session: EngineSession, sql: string): Promise<Described[]> {
  const { rows } = await session.readAll(`DESCRIBE ${sql}`);
  return rows.map((row) => ({ name: String(row["column_name"]), type: String(row["column_type"]) }));
}

function sameColumns(a: readonly Described[], b: readonly Described[]): boolean {
  return (
    a.length === b.length &&
    a.every((column, index) => column.name === b[index]!.name && column.type === b[index]!.type)
  );
}

/** DuckDB's SQL text of a statement node, in the envelope of the original tree. */
async function deserialize(session: EngineSession, tree: Node, node: Node): Promise<string> {
  const statements = tree["statements"] as Node[];
  const envelope = { ...tree, statements: [{ ...statements[0], node }] };
  const { rows } = await session.readAll("SELECT json_deserialize_sql($1::VARCHAR) AS statement", [
    JSON.stringify(envelope),
  ]);
  return String(rows[0]!["statement"]);
}
