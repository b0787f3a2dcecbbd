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
 * deterministic, so a no-op), and cut to the statement's first rows when it is a top-N query (see
 * topNModifiers). Without a usable WHERE or top-N, undefined: every row of the columns.
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
  if (statement["sample"]) return undefined;
  const where = statement["where_clause"] as Node | null;
  if (where && hasNonLocalExpression(where)) return undefined;
  const modifiers = topNModifiers(statement);
  if (!where && !modifiers) return undefined;
  const node = clone(statement);
  node["select_list"] = columns.map((column) => columnRef(column));
  node["modifiers"] = modifiers ?? [];
  node["group_expressions"] = [];
  node["group_sets"] = [];
  node["aggregate_handling"] = "STANDARD_HANDLING";
  node["having"] = null;
  node["qualify"] = null;
  return node;
}

/**
 * For a top-N query — a SELECT of plain columns (or a plain `*`) of one table, with no GROUP BY,
 * HAVING, QUALIFY or DISTINCT, ordered by plain columns and limited by a constant — the ORDER BY
 * and a LIMIT of limit + offset for the workers: the answer's rows are among each worker's first
 * limit + offset rows by that order, and the coordinator orders, offsets and limits again. Rows
 * that tie on the order may be chosen differently, as they may on one node between two runs.
 * Undefined for any other statement. The caller checks the FROM clause and WHERE clause.
 */
export function topNModifiers(statement: Node): Node[] | undefined {
  const modifiers = (statement["modifiers"] as Node[] | undefined) ?? [];
  const [order, limit] = modifiers;
  if (modifiers.length !== 2 || order?.["type"] !== "ORDER_MODIFIER" || limit?.["type"] !== "LIMIT_MODIFIER")
    return undefined;
  if (
    ((statement["group_expressions"] as unknown[] | undefined) ?? []).length > 0 ||
    ((statement["group_sets"] as unknown[] | undefined) ?? []).length > 0 ||
    statement["having"] ||
    statement["qualify"] ||
    (statement["aggregate_handling"] ?? "STANDARD_HANDLING") !== "STANDARD_HANDLING"
  )
    return undefined;
  if (!(statement["select_list"] as Node[]).every((item) => isPlainColumn(item) || isPlainStar(item)))
    return undefined;
  const orders = (order["orders"] as Node[] | undefined) ?? [];
  if (orders.length === 0 || !orders.every((term) => isPlainColumn(term["expression"] as Node)))
    return undefined;
  const count = integerConstant(limit["limit"] as Node | null);
  const offset = limit["offset"] === null ? 0 : integerConstant(limit["offset"] as Node);
  if (count === undefined || offset === undefined || count + offset > 2 ** 31 - 1) return undefined;
  const first = clone(limit["limit"] as Node);
  (first["value"] as Node)["value"] = count + offset;
  return [clone(order), { ...clone(limit), limit: first, offset: null }];
}

/** The rows a worker statement returns at most, by its constant LIMIT (without OFFSET); else undefined. */
export function limitedRows(statement: Node): number | undefined {
  const modifiers = (statement["modifiers"] as Node[] | undefined) ?? [];
  const limit = modifiers.find((modifier) => modifier["type"] === "LIMIT_MODIFIER");
  if (!limit || limit["offset"] !== null) return undefined;
  return integerConstant(limit["limit"] as Node | null);
}

function isPlainColumn(node: Node | undefined): boolean {
  return node !== undefined && isColumnRef(node) && node["alias"] === "";
}

function isPlainStar(node: Node): boolean {
  return (
    node["class"] === "STAR" &&
    node["alias"] === "" &&
    node["relation_name"] === "" &&
    node["columns"] === false &&
    node["expr"] === null &&
    ["exclude_list", "replace_list", "qualified_exclude_list", "rename_list"].every(
      (key) => ((node[key] as unknown[] | undefined) ?? []).length === 0,
    )
  );
}

/** The value of a non-negative INTEGER constant, else undefined. */
function integerConstant(node: Node | null): number | undefined {
  if (!node || node["class"] !== "CONSTANT") return undefined;
  const value = node["value"] as { type?: { id?: string }; is_null?: boolean; value?: unknown } | undefined;
  if (value?.type?.id !== "INTEGER" || value.is_null || typeof value.value !== "number") return undefined;
  return Number.isInteger(value.value) && value.value >= 0 ? value.value : undefined;
}
