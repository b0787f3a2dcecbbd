import type { Client } from "@connectrpc/connect";
import type { MinIODBService } from "@miniodb/proto";

/** One result row: column name → JSON value (see the server's result encoding). */
export type QueryRow = Record<string, unknown>;

export interface QueryRowsOptions {
  /** Rows fetched per QueryData call; default 1,000. */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

export const DEFAULT_QUERY_PAGE_SIZE = 1_000;

/**
 * Runs `sql` with QueryData and yields every row of the result, fetching the next page with the
 * returned cursor while `has_more` is true. The server computes the result once, so every row of
 * that one execution arrives exactly once whatever is written meanwhile. Stopping early (`break`)
 * leaves the rest unread; the server drops it when the cursor expires.
 */
export async function* queryRows(
  db: Client<typeof MinIODBService>,
  sql: string,
  options: QueryRowsOptions = {},
): AsyncGenerator<QueryRow, void, undefined> {
  const limit = options.pageSize ?? DEFAULT_QUERY_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`pageSize must be a positive integer, got ${limit}`);
  }
  let cursor = "";
  for (;;) {
    const page = await db.queryData({ sql, limit, cursor }, { signal: options.signal });
    yield* JSON.parse(page.resultJson) as QueryRow[];
    if (!page.hasMore) return;
    cursor = page.nextCursor;
  }
}
