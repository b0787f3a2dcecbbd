/** A node of DuckDB's JSON parse tree (`json_serialize_sql`). */
export type ParseNode = Record<string, unknown>;

/** Calls `onNode` for every object in the tree, parents before their children. */
export function visitParseTree(root: unknown, onNode: (node: ParseNode) => void): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === "object") {
      onNode(value as ParseNode);
      for (const child of Object.values(value)) if (typeof child === "object") stack.push(child);
    }
  }
}

/**
 * Like visitParseTree, also passing the names (lower case) of the CTEs in scope at each node: a
 * query node's `WITH` names are visible in that node and everything below it (its own CTE
 * definitions included, for recursive and chained CTEs), never in sibling or enclosing queries.
 */
export function visitParseTreeWithCtes(
  root: unknown,
  onNode: (node: ParseNode, ctes: ReadonlySet<string>) => void,
): void {
  const stack: Array<[unknown, ReadonlySet<string>]> = [[root, new Set()]];
  while (stack.length > 0) {
    const [value, inherited] = stack.pop()!;
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, inherited]);
    } else if (value !== null && typeof value === "object") {
      const node = value as ParseNode;
      const defined = (node["cte_map"] as { map?: Array<{ key: string }> } | undefined)?.map ?? [];
      const ctes =
        defined.length === 0
          ? inherited
          : new Set([...inherited, ...defined.map((entry) => entry.key.toLowerCase())]);
      onNode(node, ctes);
      for (const child of Object.values(node)) if (typeof child === "object") stack.push([child, ctes]);
    }
  }
}
