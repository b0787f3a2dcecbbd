import { payload } from "./workload.js";

const BASE_MS = Date.UTC(2026, 10, 1);

/** The id of row `i`: fixed width, so ids sort in write order and flushed files cover narrow ranges. */
export function benchId(i: number): string {
  return `q-${String(i).padStart(9, "0")}`;
}

/** NDJSON lines of rows `first … first + count − 1` (10 ms apart from 2026-11-01, one day). */
export function benchRows(first: number, count: number): string[] {
  const lines: string[] = [];
  for (let i = first; i < first + count; i++)
    lines.push(
      JSON.stringify({
        id: benchId(i),
        timestamp: new Date(BASE_MS + i * 10).toISOString(),
        payload: payload(i),
      }),
    );
  return lines;
}

/**
 * Loads `rows` distinct rows (from row `offset` on) into `table` through the REST batch route
 * (NDJSON bodies of `bodyRows`, `clients` requests in flight). Returns the seconds it took.
 */
export async function loadRows(
  rest: string,
  table: string,
  rows: number,
  clients = 4,
  bodyRows = 5000,
  offset = 0,
) {
  const started = performance.now();
  let next = offset;
  rows += offset;
  const client = async () => {
    for (;;) {
      const first = next;
      if (first >= rows) return;
      next += bodyRows;
      const lines = benchRows(first, Math.min(rows, first + bodyRows) - first);
      const response = await fetch(`${rest}/v1/data/batch?table=${table}`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: lines.join("\n"),
      });
      if (!response.ok) throw new Error(`load failed: ${response.status} ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return (performance.now() - started) / 1000;
}
