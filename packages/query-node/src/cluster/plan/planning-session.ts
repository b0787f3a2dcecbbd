import {
  ID_COLUMN,
  quoteSqlIdentifier,
  TIMESTAMP_COLUMN,
  tableViewStatement,
  type EngineSession,
} from "@miniodb/executor";
import type { ColumnDef } from "@miniodb/core";
import { PARTIALS_VIEW, type splitAggregate } from "./aggregate-split.js";
import { withAlias, type Node } from "./parse-nodes.js";

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

/** A column of a statement's result, as DuckDB's DESCRIBE names it. */
export interface Described {
  readonly name: string;
  readonly type: string;
}

/**
 * The aggregate plan of a split, when the merged statement binds to exactly `original`'s column
 * names and types (over row-less views the caller made); else undefined.
 */
export async function tryAggregate(
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
export function viewColumns(table: PlannedTable): string[] {
  return [ID_COLUMN, TIMESTAMP_COLUMN, ...table.columns.map((column) => column.name)];
}

export function allColumnsView(table: string): string {
  return `${table}__miniodb_all`;
}

/** Row-less views with each table's columns (or only the projected ones), for binding. */
export async function createEmptyViews(
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

/** Drops the named views, if they exist. */
export async function dropViews(session: EngineSession, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await session
    .run(names.map((name) => `DROP VIEW IF EXISTS ${quoteSqlIdentifier(name)}`).join(";\n"))
    .catch(() => undefined);
}

export async function describe(session: EngineSession, sql: string): Promise<Described[]> {
  const { rows } = await session.readAll(`DESCRIBE ${sql}`);
  return rows.map((row) => ({ name: String(row["column_name"]), type: String(row["column_type"]) }));
}

export function sameColumns(a: readonly Described[], b: readonly Described[]): boolean {
  return (
    a.length === b.length &&
    a.every((column, index) => column.name === b[index]!.name && column.type === b[index]!.type)
  );
}

/**
 * DuckDB's SQL text of a statement node, in the envelope of the original tree. Source positions
 * DuckDB marks as none (2^64 - 1, which a JSON number cannot carry back exactly) are sent as 0:
 * they only place error messages.
 */
export async function deserialize(session: EngineSession, tree: Node, node: Node): Promise<string> {
  const statements = tree["statements"] as Node[];
  const envelope = { ...tree, statements: [{ ...statements[0], node }] };
  const json = JSON.stringify(envelope, (key, value: unknown) =>
    key === "query_location" && !Number.isSafeInteger(value) ? 0 : value,
  );
  const { rows } = await session.readAll("SELECT json_deserialize_sql($1::VARCHAR) AS statement", [json]);
  return String(rows[0]!["statement"]);
}
