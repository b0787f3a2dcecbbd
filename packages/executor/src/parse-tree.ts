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
