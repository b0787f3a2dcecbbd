import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDbEngine } from "@miniodb/executor";
import { requestJson } from "./rest.js";

/** A deterministic user row: a few payload types, low- and high-cardinality columns. */
export interface UserRow {
  readonly id: string;
  readonly timestampMicros: number;
  readonly payload: { name: string; age: number; score: number; city: string; active: boolean };
}

const CITIES = ["berlin", "lagos", "lima", "osaka", "perth"];
const START_MICROS = Date.UTC(2024, 0, 1) * 1000;

export function userRows(count: number, offset = 0): UserRow[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + offset;
    return {
      id: `u-${n}`,
      timestampMicros: START_MICROS + n * 97_000_123,
      payload: {
        name: `user ${n}`,
        age: 18 + ((n * 7) % 50),
        score: Math.round(((n * 37) % 1000) * 1.25) / 10,
        city: CITIES[n % CITIES.length]!,
        active: n % 3 === 0,
      },
    };
  });
}

function rfc3339(micros: number): string {
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 19)}.${String(micros % 1_000_000).padStart(6, "0")}Z`;
}

/** Writes the rows through the REST batch route, `chunk` per request. */
export async function writeUsers(rest: string, table: string, rows: readonly UserRow[], chunk = 500) {
  for (let start = 0; start < rows.length; start += chunk) {
    const records = rows.slice(start, start + chunk).map((row) => ({
      id: row.id,
      timestamp: rfc3339(row.timestampMicros),
      payload: row.payload,
    }));
    const response = await requestJson(`${rest}/v1/data/batch`, { body: { table, records } });
    if (response.status !== 200) throw new Error(`batch write failed: ${JSON.stringify(response.body)}`);
  }
}

/**
 * The same rows in a plain DuckDB table (and an empty table beside it), queried through the same
 * result conversion as the server: the reference answers.
 */
export async function referenceEngine(directory: string, rows: readonly UserRow[]): Promise<DuckDbEngine> {
  const file = join(directory, "reference.ndjson");
  writeFileSync(
    file,
    rows.map((row) => JSON.stringify({ id: row.id, ts: row.timestampMicros, ...row.payload })).join("\n"),
  );
  const engine = await DuckDbEngine.create({ allowedDirectory: directory, connections: 1 });
  await engine.query(
    `CREATE TABLE users AS SELECT id, make_timestamp(ts) AS timestamp, name, age, score, city, active ` +
      `FROM read_json('${file}', columns = {'id': 'VARCHAR', 'ts': 'BIGINT', 'name': 'VARCHAR', ` +
      `'age': 'BIGINT', 'score': 'DOUBLE', 'city': 'VARCHAR', 'active': 'BOOLEAN'})`,
  );
  await engine.query("CREATE TABLE empty_t (id VARCHAR, timestamp TIMESTAMP)");
  return engine;
}

/** QueryData over REST; throws on an error answer. */
export async function queryRows(rest: string, sql: string, limit = 0, cursor = "") {
  const response = await requestJson<{ result_json: string; has_more: boolean; next_cursor: string }>(
    `${rest}/v1/query`,
    { body: { sql, limit, cursor } },
  );
  if (response.status !== 200)
    throw new Error(`query failed (${response.status}): ${JSON.stringify(response.body)}`);
  return {
    rows: JSON.parse(response.body.result_json) as Array<Record<string, unknown>>,
    hasMore: response.body.has_more,
    nextCursor: response.body.next_cursor,
  };
}

/** Waits (up to ~10 s) until background flushes have committed at least `count` files of `table`. */
export async function waitForFiles(rest: string, table: string, count = 1): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const info = await requestJson<{ table_info: { stats: { file_count: number } } }>(
      `${rest}/v1/tables/${table}`,
    );
    if (info.body.table_info.stats.file_count >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${table} has fewer than ${count} data files after 10 s`);
}
