/** Most statements a `ParseTreeCache` keeps. */
const DEFAULT_CAPACITY = 512;
/** Longer statements are parsed every time (their trees are large and rarely repeat). */
const MAX_CACHED_SQL_LENGTH = 8192;

/**
 * DuckDB's parse trees of recently seen statements, by their exact text: a parse tree depends on
 * nothing but the text, so a repeated statement (a dashboard's, a client's prepared one) skips
 * the parser's round trip. Trees are frozen, least recently used ones dropped; trees that report
 * a parse error are not kept.
 */
export class ParseTreeCache {
  readonly #parse: (sql: string) => Promise<unknown>;
  readonly #capacity: number;
  readonly #trees = new Map<string, unknown>();

  constructor(parse: (sql: string) => Promise<unknown>, capacity = DEFAULT_CAPACITY) {
    this.#parse = parse;
    this.#capacity = capacity;
  }

  async parse(sql: string): Promise<unknown> {
    const cached = this.#trees.get(sql);
    if (cached !== undefined) {
      this.#trees.delete(sql);
      this.#trees.set(sql, cached);
      return cached;
    }
    const tree = await this.#parse(sql);
    if (sql.length <= MAX_CACHED_SQL_LENGTH && !isErrorTree(tree)) {
      this.#trees.set(sql, deepFreeze(tree));
      if (this.#trees.size > this.#capacity) this.#trees.delete(this.#trees.keys().next().value!);
    }
    return tree;
  }
}

function isErrorTree(tree: unknown): boolean {
  return typeof tree !== "object" || tree === null || (tree as Record<string, unknown>)["error"] !== false;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
