import {
  castTo,
  clone,
  columnNames,
  columnRef,
  expressionKey,
  functionCall,
  functionName,
  hasNonLocalExpression,
  isColumnRef,
  isFunction,
  nodesOf,
  withAlias,
  type Node,
} from "./parse-nodes.js";

/** The view the coordinator reads the workers' partial aggregates through. */
export const PARTIALS_VIEW = "__miniodb_partials";

/** A SELECT split into what every worker computes and how the coordinator merges it. */
export interface AggregateSplit {
  /** The table the SELECT reads. */
  readonly table: string;
  /** Each worker's statement: the group keys and partial aggregates of its rows. */
  readonly worker: Node;
  /** The coordinator's statement over PARTIALS_VIEW, with the original select list, HAVING, ORDER BY, LIMIT. */
  readonly merge: Node;
}

interface Partial {
  /** Worker select items. */
  readonly items: Node[];
  /** The merged value over PARTIALS_VIEW. */
  readonly merged: Node;
}

const DECOMPOSABLE = new Set(["count_star", "count", "sum", "min", "max", "avg"]);

/**
 * Splits a single-table aggregate SELECT (COUNT, SUM, MIN, MAX, AVG, COUNT DISTINCT, with or
 * without GROUP BY, HAVING, ORDER BY, LIMIT, DISTINCT) into a worker part and a merge part, or
 * returns undefined when it is not one this split handles exactly (joins other than with
 * `replicated` relations, see partitionedLeaf; CTEs, subqueries, window
 * functions, grouping sets, FILTER or ordered aggregates, other aggregates, a column outside any
 * aggregate that is not a group key…): such queries ship rows instead.
 *
 * Partials: COUNT → count, merged by sum (as BIGINT); SUM, MIN, MAX → the same aggregate again;
 * AVG → sum and count, merged as sum / sum; COUNT(DISTINCT x) → list(DISTINCT x), merged as the
 * length of the distinct union (NULLs left out, as COUNT DISTINCT does).
 */
export function splitAggregate(
  node: Node,
  aggregateNames: ReadonlySet<string>,
  tableColumns: ReadonlySet<string> = new Set(),
  replicated: ReadonlySet<string> = new Set(),
): AggregateSplit | undefined {
  if (node["type"] !== "SELECT_NODE") return undefined;
  const joined = node["from_table"] as Node | null;
  if (!joined) return undefined;
  const from = partitionedLeaf(joined, replicated);
  if (!from || from === REPLICATED) return undefined;
  if (((node["cte_map"] as { map?: unknown[] } | undefined)?.map ?? []).length > 0) return undefined;
  if (node["sample"] || node["qualify"] || node["aggregate_handling"] !== "STANDARD_HANDLING")
    return undefined;
  if (hasNonLocalExpression(node)) return undefined;
  const selectList = node["select_list"] as Node[];
  const groups = ((node["group_expressions"] as Node[] | undefined) ?? []).map((group) =>
    selectItemGrouped(group, selectList, tableColumns),
  );
  const sets = (node["group_sets"] as number[][] | undefined) ?? [];
  if (sets.length > 1 || (sets.length === 1 && sets[0]!.length !== groups.length)) return undefined;
  if (groups.some((group) => group["class"] === "CONSTANT" || containsAggregate(group, aggregateNames)))
    return undefined;

  const table = String(from["table_name"]);
  // A table with an alias is referred to by the alias only (a relation joined with it may be
  // named like the table; DuckDB refuses two relations of one name).
  const alias = String(from["alias"] ?? "").toLowerCase();
  const qualifiers = new Set([alias || table.toLowerCase()]);
  const key = (expression: unknown) => expressionKey(expression, qualifiers);
  const groupIndex = new Map(groups.map((group, index) => [key(group), index]));

  const modifiers = (node["modifiers"] as Node[] | undefined) ?? [];
  const having = (node["having"] as Node | null) ?? null;
  const partials = new Map<string, Partial>();
  const workerItems: Node[] = [];
  let failed = false;
  const collect = (expression: unknown) => {
    for (const candidate of nodesOf(expression)) {
      if (!isFunction(candidate) || !aggregateNames.has(functionName(candidate))) continue;
      const candidateKey = key(candidate);
      if (partials.has(candidateKey)) continue;
      const partial = partialOf(candidate, `__p${workerItems.length}`, aggregateNames);
      if (!partial) {
        failed = true;
        return;
      }
      partials.set(candidateKey, partial);
      workerItems.push(...partial.items);
    }
  };
  for (const item of selectList) collect(item);
  if (having) collect(having);
  for (const modifier of modifiers) collect(modifier);
  if (failed || (partials.size === 0 && groups.length === 0)) return undefined;

  const aliases = new Set(
    selectList.map((item) => String(item["alias"] ?? "").toLowerCase()).filter(Boolean),
  );
  const substitute = (expression: Node, aliasRefs: boolean): Node => {
    const expressionKeyValue = key(expression);
    const partial = partials.get(expressionKeyValue);
    if (partial) return withAlias(partial.merged, String(expression["alias"] ?? ""));
    const group = groupIndex.get(expressionKeyValue);
    if (group !== undefined) return columnRef(`__g${group}`, String(expression["alias"] ?? ""));
    if (isColumnRef(expression)) {
      const names = columnNames(expression);
      if (aliasRefs && names.length === 1 && aliases.has(names[0]!)) return expression;
      throw new NotSplittable();
    }
    return mapChildren(expression, (child) => substitute(child, aliasRefs)) as Node;
  };

  try {
    const merge = clone(node);
    merge["from_table"] = {
      ...clone(from),
      table_name: PARTIALS_VIEW,
      alias: "",
      schema_name: "",
      catalog_name: "",
      column_name_alias: [],
    };
    merge["where_clause"] = null;
    merge["group_expressions"] = groups.map((_, index) => columnRef(`__g${index}`));
    merge["select_list"] = selectList.map((item) => substitute(item, false));
    merge["having"] = having ? substitute(having, false) : null;
    merge["modifiers"] = modifiers.map((modifier) =>
      mapChildren(modifier, (child) => substitute(child, true)),
    );
    const worker = clone(node);
    worker["group_expressions"] = groups.map(clone);
    worker["select_list"] = [
      ...groups.map((group, index) => withAlias(clone(group), `__g${index}`)),
      ...workerItems,
    ];
    worker["having"] = null;
    worker["modifiers"] = [];
    return { table, worker, merge };
  } catch (error) {
    if (error instanceof NotSplittable) return undefined;
    throw error;
  }
}

class NotSplittable extends Error {}

/** A FROM subtree made of replicated relations only. */
const REPLICATED: Node = { type: "REPLICATED" };

/**
 * The one table of a FROM clause whose rows are split between workers, when every other relation
 * in it is replicated (a name in `replicated`: each worker holds all of its rows) and every join
 * keeps the table's rows apart: INNER and CROSS joins, LEFT, SEMI and ANTI joins with the table on
 * the left, RIGHT joins with it on the right. A worker's joined rows are then exactly the joined
 * rows of its own share of the table, and aggregates over them merge like aggregates over the
 * table. REPLICATED for a subtree of replicated relations only; undefined for anything else (two
 * references to split tables, FULL or ASOF joins, samples, subqueries, table functions).
 */
function partitionedLeaf(from: Node, replicated: ReadonlySet<string>): Node | undefined {
  if (from["sample"]) return undefined;
  if (from["type"] === "BASE_TABLE") {
    if (from["schema_name"] || from["catalog_name"]) return undefined;
    return replicated.has(String(from["table_name"]).toLowerCase()) ? REPLICATED : from;
  }
  if (from["type"] !== "JOIN" || !["REGULAR", "CROSS"].includes(String(from["ref_type"]))) return undefined;
  const left = partitionedLeaf(from["left"] as Node, replicated);
  const right = partitionedLeaf(from["right"] as Node, replicated);
  if (!left || !right) return undefined;
  if (left === REPLICATED && right === REPLICATED) return REPLICATED;
  if (left !== REPLICATED && right !== REPLICATED) return undefined;
  const kind = String(from["join_type"]);
  if (left !== REPLICATED) return ["INNER", "LEFT", "SEMI", "ANTI"].includes(kind) ? left : undefined;
  return ["INNER", "RIGHT"].includes(kind) ? right : undefined;
}

/**
 * The expression a GROUP BY item stands for: a select item's when it names the item's alias (and
 * no column of the table, which DuckDB would take first) or its position (`GROUP BY 1`); else
 * the item itself. Workers then group by the expression, which their select list no longer names.
 */
function selectItemGrouped(
  group: Node,
  selectList: readonly Node[],
  tableColumns: ReadonlySet<string>,
): Node {
  if (isColumnRef(group)) {
    const names = columnNames(group);
    if (names.length !== 1 || tableColumns.has(names[0]!)) return group;
    const item = selectList.find((candidate) => String(candidate["alias"] ?? "").toLowerCase() === names[0]);
    return item ? withAlias(clone(item), "") : group;
  }
  if (group["class"] === "CONSTANT") {
    const value = group["value"] as
      { type?: { id?: string }; value?: unknown; is_null?: boolean } | undefined;
    const position = Number(value?.value);
    if (value?.is_null || !/INT/.test(String(value?.type?.id ?? "")) || !Number.isInteger(position))
      return group;
    const item = selectList[position - 1];
    return item ? withAlias(clone(item), "") : group;
  }
  return group;
}

function containsAggregate(expression: unknown, aggregateNames: ReadonlySet<string>): boolean {
  for (const node of nodesOf(expression))
    if (isFunction(node) && aggregateNames.has(functionName(node))) return true;
  return false;
}

/** The worker items and merged value of one aggregate call, or undefined when it does not split. */
function partialOf(call: Node, name: string, aggregateNames: ReadonlySet<string>): Partial | undefined {
  const fn = functionName(call);
  const children = call["children"] as Node[];
  const orders = (call["order_bys"] as { orders?: unknown[] } | undefined)?.orders ?? [];
  if (!DECOMPOSABLE.has(fn) || call["filter"] || orders.length > 0 || call["export_state"]) return undefined;
  if (children.some((child) => containsAggregate(child, aggregateNames))) return undefined;
  const arg = children.map(clone);
  const ref = columnRef(name);
  if (fn === "count_star" || fn === "count") {
    if (call["distinct"] === true) {
      if (fn !== "count" || arg.length !== 1) return undefined;
      const union = functionCall("flatten", [functionCall("list", [ref])]);
      return {
        items: [withAlias(functionCall("list", arg, { distinct: true }), name)],
        merged: functionCall("length", [functionCall("list_distinct", [union])]),
      };
    }
    if (fn === "count" && arg.length > 1) return undefined;
    return {
      items: [withAlias(functionCall(fn, arg), name)],
      merged: castTo(functionCall("sum", [ref]), "BIGINT"),
    };
  }
  if (call["distinct"] === true || arg.length !== 1) return undefined;
  if (fn === "avg") {
    const count = columnRef(`${name}c`);
    return {
      items: [
        withAlias(functionCall("sum", arg), name),
        withAlias(functionCall("count", clone(arg)), `${name}c`),
      ],
      merged: functionCall("/", [functionCall("sum", [ref]), functionCall("sum", [count])], {
        operator: true,
      }),
    };
  }
  return { items: [withAlias(functionCall(fn, arg), name)], merged: functionCall(fn, [ref]) };
}

/** A copy of `value` with every expression directly below it replaced by `map` of it. */
function mapChildren(value: unknown, map: (expression: Node) => Node): unknown {
  if (Array.isArray(value)) return value.map((item) => mapChild(item, map));
  if (value === null || typeof value !== "object") return value;
  const copy: Node = {};
  for (const [key, child] of Object.entries(value)) copy[key] = mapChild(child, map);
  return copy;
}

function mapChild(child: unknown, map: (expression: Node) => Node): unknown {
  if (
    child !== null &&
    typeof child === "object" &&
    !Array.isArray(child) &&
    typeof (child as Node)["class"] === "string"
  )
    return map(child as Node);
  return mapChildren(child, map);
}
