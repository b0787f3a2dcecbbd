import { clone, columnRef, hasNonLocalExpression, isColumnRef, nodesOf, type Node } from "./parse-nodes.js";

/**
 * The columns of `table` a statement may read, by name (lower case), or undefined when it may read
 * them all: a `*` or COLUMNS(), a whole-row reference to the table, or a NATURAL join. Names used
 * anywhere count (a name that only happens to match costs one shipped column, nothing more); the
 * query node checks the projection by binding the statement over it before trusting it.
 */
export function referencedColumns(statement: Node, table: string): Set<string> | undefined {
  const names = new Set<string>();
  const folded = table.toLowerCase();
  for (const node of nodesOf(statement)) {
    if (node["class"] === "STAR" || node["class"] === "POSITIONAL_REFERENCE") return undefined;
    if (node["type"] === "JOIN" && node["ref_type"] === "NATURAL") return undefined;
    if (isColumnRef(node)) {
      const parts = (node["column_names"] as string[]).map((name) => name.toLowerCase());
      if (parts.length === 1 && parts[0] === folded) return undefined;
      for (const part of parts) names.add(part);
    }
    if (Array.isArray(node["using_columns"]))
      for (const name of node["using_columns"] as string[]) names.add(name.toLowerCase());
  }
  return names;
}

/**
 * The statement a worker runs to ship one table's rows: the given columns, filtered by the
 * statement's WHERE clause when the statement is a plain SELECT over that table alone (the clause
 * then applies to the table's rows before anything else, and the coordinator applies it again:
 * deterministic, so a no-op). Without a usable WHERE, every row of the columns.
 */
export function rowShippingNode(
  statement: Node,
  table: string,
  columns: readonly string[],
): Node | undefined {
  if (statement["type"] !== "SELECT_NODE") return undefined;
  const from = statement["from_table"] as Node | null;
  if (
    !from ||
    from["type"] !== "BASE_TABLE" ||
    String(from["table_name"]).toLowerCase() !== table.toLowerCase()
  )
    return undefined;
  if (((statement["cte_map"] as { map?: unknown[] } | undefined)?.map ?? []).length > 0) return undefined;
  const where = statement["where_clause"] as Node | null;
  if (!where || statement["sample"] || hasNonLocalExpression(where)) return undefined;
  const node = clone(statement);
  node["select_list"] = columns.map((column) => columnRef(column));
  node["modifiers"] = [];
  node["group_expressions"] = [];
  node["group_sets"] = [];
  node["aggregate_handling"] = "STANDARD_HANDLING";
  node["having"] = null;
  node["qualify"] = null;
  return node;
}
