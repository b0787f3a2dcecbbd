/** A node of DuckDB's JSON parse tree (json_serialize_sql), as parsed JSON. */
export type Node = Record<string, unknown>;

/** Expression classes a fragment cannot run on a worker (they read other rows, tables or the select list). */
const NON_LOCAL_CLASSES = new Set([
  "SUBQUERY",
  "WINDOW",
  "STAR",
  "POSITIONAL_REFERENCE",
  "PARAMETER",
  "LAMBDA",
]);

/** Functions whose value differs between two evaluations. */
const NON_DETERMINISTIC = new Set(["random", "gen_random_uuid", "uuid", "setseed", "nextval", "currval"]);

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Every object in `root`, parents first. */
export function* nodesOf(root: unknown): Iterable<Node> {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) stack.push(...value);
    else if (value !== null && typeof value === "object") {
      yield value as Node;
      for (const child of Object.values(value)) if (typeof child === "object") stack.push(child);
    }
  }
}

/** Whether `root` holds an expression a worker cannot evaluate on its own rows exactly as the coordinator would. */
export function hasNonLocalExpression(root: unknown): boolean {
  for (const node of nodesOf(root)) {
    if (typeof node["class"] === "string" && NON_LOCAL_CLASSES.has(node["class"])) return true;
    if (node["type"] === "SUBQUERY") return true;
    if (isFunction(node) && NON_DETERMINISTIC.has(functionName(node))) return true;
  }
  return false;
}

export function isFunction(node: Node): boolean {
  return node["class"] === "FUNCTION" && typeof node["function_name"] === "string";
}

export function functionName(node: Node): string {
  return String(node["function_name"]).toLowerCase();
}

export function isColumnRef(node: Node): boolean {
  return node["class"] === "COLUMN_REF";
}

export function columnNames(node: Node): string[] {
  return (node["column_names"] as string[]).map((name) => name.toLowerCase());
}

export function columnRef(name: string, alias = ""): Node {
  return { class: "COLUMN_REF", type: "COLUMN_REF", alias, column_names: [name] };
}

export function functionCall(
  name: string,
  children: Node[],
  options: { distinct?: boolean; operator?: boolean } = {},
): Node {
  return {
    class: "FUNCTION",
    type: "FUNCTION",
    alias: "",
    function_name: name,
    schema: "",
    children,
    filter: null,
    order_bys: { type: "ORDER_MODIFIER", orders: [] },
    distinct: options.distinct ?? false,
    is_operator: options.operator ?? false,
    export_state: false,
    catalog: "",
  };
}

export function castTo(child: Node, typeId: string): Node {
  return {
    class: "CAST",
    type: "OPERATOR_CAST",
    alias: "",
    child,
    cast_type: { id: typeId, type_info: null },
    try_cast: false,
  };
}

export function withAlias(node: Node, alias: string): Node {
  return { ...node, alias };
}

/**
 * A key equal for two expressions that compute the same value over one table: aliases and source
 * positions ignored, names folded to lower case, and a leading qualifier naming the table dropped.
 */
export function expressionKey(node: unknown, qualifiers: ReadonlySet<string>): string {
  return JSON.stringify(node, function (this: unknown, key, value: unknown) {
    if (key === "alias" || key === "query_location") return undefined;
    if (key === "column_names" && Array.isArray(value)) {
      const names = value.map((name) => String(name).toLowerCase());
      return names.length > 1 && qualifiers.has(names[0]!) ? names.slice(1) : names;
    }
    return value;
  });
}
