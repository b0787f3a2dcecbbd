import { createHash, randomBytes } from "node:crypto";
import { mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { MiniodbError } from "@miniodb/core";
import { quoteSqlLiteral, type DuckDbEngine, type EngineSession, type ResultRow } from "@miniodb/executor";
import type { QueryService } from "./query-service.js";
import { noteRequest } from "../observability/request-context.js";

export interface QueryPagerOptions {
  /** This node's id: cursors name it, so another node's cursor gets a clear answer. */
  readonly nodeId: string;
  readonly queries: QueryService;
  readonly engine: DuckDbEngine;
  /** Where materialised results live; inside the engine's allowed directory. Emptied at start. */
  readonly directory: string;
  /** How long a cursor stays valid after its result was materialised. */
  readonly cursorTtlMs: number;
  /** Bytes of materialised results kept; the oldest are dropped (their cursors expire) beyond it. */
  readonly maxBytes: number;
  /** Largest page, as the bytes of its `result_json`. */
  readonly maxResultBytes: number;
  readonly now?: () => number;
}

export interface QueryPage {
  /** Each row of the page as its JSON text; `resultJson` joins them into an array. */
  readonly rows: readonly string[];
  readonly hasMore: boolean;
  /** Empty when there is no further page. */
  readonly nextCursor: string;
}

interface StoredResult {
  readonly id: string;
  readonly path: string;
  readonly sqlHash: string;
  readonly rowCount: number;
  readonly bytes: number;
  readonly expiresAtMs: number;
  /** Whether pages can be selected by `file_row_number` (no result column has that name). */
  readonly byRowNumber: boolean;
  /** Pages being read from it right now: it is not deleted under them. */
  readers: number;
}

/**
 * QueryData's pages. A result that fits in `limit` rows is answered directly. A larger one is
 * materialised once, as a Parquet file in query order, and every page — the first included — is
 * read from that file: a walk over the cursors returns each row of that one execution exactly
 * once, whatever the query's ORDER BY, LIMIT, or the writes happening meanwhile.
 *
 * A cursor is `base64url({"r": <result id>, "o": <offset>, "n": <node id>})`; it names a random
 * 128-bit id, is valid for the same SQL only, and expires with its result (`cursorTtlMs`, the byte
 * budget, or a restart), after which it is invalid_argument. Results stay on the node that
 * computed them: another node's cursor is failed_precondition, naming that node.
 */
export class QueryPager {
  readonly #options: QueryPagerOptions;
  readonly #results = new Map<string, StoredResult>();
  readonly #now: () => number;
  #bytes = 0;

  private constructor(options: QueryPagerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  static async create(options: QueryPagerOptions): Promise<QueryPager> {
    await rm(options.directory, { recursive: true, force: true });
    await mkdir(options.directory, { recursive: true });
    return new QueryPager(options);
  }

  /** Bytes of stored results (cursor pages). */
  get storedBytes(): number {
    return this.#bytes;
  }

  /**
   * `limit` 0 returns the whole result in one page. A page whose JSON would exceed
   * `maxResultBytes` fails with payload_too_large (the client pages or streams instead).
   */
  async page(sql: string, limit: number, cursor: string): Promise<QueryPage> {
    const page = await this.#page(sql, limit, cursor);
    noteRequest({ rows: page.rows.length, bytes: rowBytes(page.rows) });
    return page;
  }

  async #page(sql: string, limit: number, cursor: string): Promise<QueryPage> {
    if (!Number.isInteger(limit) || limit < 0) {
      throw new MiniodbError("invalid_argument", "limit must be 0 (no limit) or a positive number of rows", {
        details: { field: "limit" },
      });
    }
    await this.#expire();
    if (cursor !== "") return this.#next(sql, limit, cursor);
    return this.#options.queries.withQuery(sql, async (session, statement) => {
      const budget = new ResultBudget(this.#options.maxResultBytes);
      const head = await firstRows(
        session,
        statement,
        limit === 0 ? Number.POSITIVE_INFINITY : limit + 1,
        budget,
      );
      if (limit === 0 || head.length <= limit) return { rows: head, hasMore: false, nextCursor: "" };
      const stored = await this.#materialise(session, sql, statement);
      try {
        return await this.#read(session, stored, 0, limit);
      } finally {
        stored.readers--;
      }
    });
  }

  async #next(sql: string, limit: number, cursor: string): Promise<QueryPage> {
    const { id, offset, node } = decodeCursor(cursor);
    if (node !== undefined && node !== this.#options.nodeId) throw foreignCursor(node, this.#options.nodeId);
    const stored = this.#results.get(id);
    if (!stored) throw invalidCursor("it has expired (or was never issued by this node)");
    if (stored.sqlHash !== hashOf(sql)) throw invalidCursor("it belongs to a different query");
    if (offset > stored.rowCount) throw invalidCursor("it points past the end of the result");
    const pageSize = limit === 0 ? stored.rowCount - offset : limit;
    stored.readers++;
    try {
      return await this.#options.engine.withSession((session) =>
        this.#read(session, stored, offset, pageSize),
      );
    } finally {
      stored.readers--;
    }
  }

  async #read(session: EngineSession, stored: StoredResult, offset: number, limit: number) {
    const budget = new ResultBudget(this.#options.maxResultBytes);
    const rows = (await session.readAll(pageStatement(stored, offset, limit))).rows.map((row) =>
      budget.add(row),
    );
    const end = offset + rows.length;
    const hasMore = end < stored.rowCount;
    return {
      rows,
      hasMore,
      nextCursor: hasMore ? encodeCursor(stored.id, end, this.#options.nodeId) : "",
    };
  }

  /**
   * Writes the whole result of `statement` (which answers `sql`) to a file; it is returned with
   * one reader, the first page's.
   */
  async #materialise(session: EngineSession, sql: string, statement: string): Promise<StoredResult> {
    const id = randomBytes(16).toString("hex");
    const path = join(this.#options.directory, `${id}.parquet`);
    let stored: StoredResult;
    try {
      const canonical = await session.canonicalSql(statement);
      const { rows } = await session.readAll(
        `COPY (\n${canonical}\n) TO ${quoteSqlLiteral(path)} (FORMAT parquet, COMPRESSION zstd)`,
      );
      const rowCount = Number(Object.values(rows[0] ?? {})[0] ?? 0);
      const bytes = (await stat(path)).size;
      const expiresAtMs = this.#now() + this.#options.cursorTtlMs;
      const { rows: clash } = await session.readAll(
        `SELECT 1 FROM parquet_schema(${quoteSqlLiteral(path)}) WHERE name = '${ROW_NUMBER}'`,
      );
      const byRowNumber = clash.length === 0;
      stored = { id, path, sqlHash: hashOf(sql), rowCount, bytes, expiresAtMs, byRowNumber, readers: 1 };
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    this.#results.set(id, stored);
    this.#bytes += stored.bytes;
    await this.#expire();
    return stored;
  }

  /**
   * Drops expired results, then the oldest while over the byte budget; a result being read is
   * kept until its page is done (its cursor then expires at the next check).
   */
  async #expire(): Promise<void> {
    const now = this.#now();
    for (const [id, stored] of this.#results) {
      if (stored.readers > 0) continue;
      if (stored.expiresAtMs > now && this.#bytes <= this.#options.maxBytes) continue;
      this.#results.delete(id);
      this.#bytes -= stored.bytes;
      await rm(stored.path, { force: true });
    }
  }
}

/** The virtual column of read_parquet that numbers a file's rows from 0. */
const ROW_NUMBER = "file_row_number";

/**
 * The rows `offset` to `offset + limit` of a stored result. By row number, DuckDB skips the row
 * groups before the page using their statistics, so a page deep into a large result costs about
 * what the first one does (LIMIT/OFFSET reads every row before it).
 */
function pageStatement(stored: StoredResult, offset: number, limit: number): string {
  const path = quoteSqlLiteral(stored.path);
  if (!stored.byRowNumber) return `SELECT * FROM read_parquet(${path}) LIMIT ${limit} OFFSET ${offset}`;
  return (
    `SELECT * EXCLUDE (${ROW_NUMBER}) FROM read_parquet(${path}, ${ROW_NUMBER} = true) ` +
    `WHERE ${ROW_NUMBER} >= ${offset} AND ${ROW_NUMBER} < ${offset + limit} ORDER BY ${ROW_NUMBER}`
  );
}

/** Up to `count` rows of the statement as JSON, stopping DuckDB once they are read. */
async function firstRows(
  session: EngineSession,
  sql: string,
  count: number,
  budget: ResultBudget,
): Promise<string[]> {
  const rows: string[] = [];
  for await (const batch of session.stream(sql)) {
    for (const row of batch.rows) {
      rows.push(budget.add(row));
      if (rows.length >= count) return rows;
    }
  }
  return rows;
}

/** The JSON of a page's rows, counted against the result size limit as they are added. */
class ResultBudget {
  #bytes = 2;
  constructor(readonly maxBytes: number) {}

  add(row: ResultRow): string {
    const json = JSON.stringify(row);
    this.#bytes += Buffer.byteLength(json, "utf8") + 1;
    if (this.#bytes > this.maxBytes) {
      throw new MiniodbError(
        "payload_too_large",
        `the result is larger than ${this.maxBytes} bytes of JSON (limits.max_result_bytes); ` +
          "page it with limit and cursor, or use StreamQuery",
        { details: { field: "limit" } },
      );
    }
    return json;
  }
}

/** QueryData's `result_json`: the page's rows as a JSON array. */
/** Characters of the rows' JSON (bytes for ASCII rows), for request accounting. */
function rowBytes(rows: readonly string[]): number {
  let bytes = 0;
  for (const row of rows) bytes += row.length;
  return bytes;
}

export function resultJson(page: QueryPage): string {
  return `[${page.rows.join(",")}]`;
}

function hashOf(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

function encodeCursor(id: string, offset: number, node: string): string {
  return Buffer.from(JSON.stringify({ r: id, o: offset, n: node })).toString("base64url");
}

function decodeCursor(cursor: string): { id: string; offset: number; node: string | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor("it is not a cursor this server issued");
  }
  const { r, o, n } = (parsed ?? {}) as { r?: unknown; o?: unknown; n?: unknown };
  if (typeof r !== "string" || !/^[0-9a-f]{32}$/.test(r) || !Number.isSafeInteger(o) || (o as number) < 0)
    throw invalidCursor("it is not a cursor this server issued");
  if (n !== undefined && (typeof n !== "string" || n === "" || n.length > 256))
    throw invalidCursor("it is not a cursor this server issued");
  return { id: r, offset: o as number, node: n };
}

function foreignCursor(node: string, self: string): MiniodbError {
  return new MiniodbError(
    "failed_precondition",
    `the cursor belongs to another query node (${JSON.stringify(node)}, this is ${JSON.stringify(self)}): ` +
      "results are kept by the query node that computed them, so ask that node for the next page " +
      "(or run the query again here)",
    { details: { field: "cursor", node } },
  );
}

function invalidCursor(reason: string): MiniodbError {
  return new MiniodbError("invalid_argument", `invalid cursor: ${reason}`, { details: { field: "cursor" } });
}
