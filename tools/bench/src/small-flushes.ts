import { benchRows } from "./query-load.js";

/** A table's file count and unflushed rows, from GET /v1/tables/{name}. */
export async function tableStats(rest: string, table: string) {
  const response = await fetch(`${rest}/v1/tables/${table}`);
  const body = (await response.json()) as {
    table_info?: { stats: { file_count: number; record_count: number; unflushed_records: number } };
  };
  if (!response.ok || !body.table_info) throw new Error(`table ${table}: ${JSON.stringify(body)}`);
  return body.table_info.stats;
}

/** Compacts `table` now (POST /v1/compaction, waiting for the job) and returns the job's result. */
export async function compactTable(rest: string, table: string): Promise<unknown> {
  const response = await fetch(`${rest}/v1/compaction`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ table }),
  });
  const body = (await response.json()) as { job?: { state: string; result: unknown } };
  if (!response.ok || body.job?.state !== "succeeded")
    throw new Error(`compaction failed: ${JSON.stringify(body)}`);
  return body.job.result;
}

async function post(url: string, body: string, contentType = "application/json"): Promise<void> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": contentType }, body });
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
}

/** Creates a table that flushes by size only (`bufferSize` rows; the interval is an hour). */
export async function createTable(rest: string, table: string, bufferSize: number): Promise<void> {
  await post(
    `${rest}/v1/tables`,
    JSON.stringify({ table_name: table, config: { buffer_size: bufferSize, flush_interval_seconds: 3600 } }),
  );
}

/**
 * Writes the query workload's rows `0 … flushes × rowsPerFlush − 1` into `table` (created with
 * `buffer_size` = `rowsPerFlush`) as `flushes` separate flushes: one REST batch of a flush's rows,
 * then a wait until its file is in the manifest. The rows lie within one day, so every flush adds
 * exactly one file to the same partition.
 */
export async function writeInSmallFlushes(
  rest: string,
  table: string,
  flushes: number,
  rowsPerFlush: number,
): Promise<void> {
  for (let flush = 0; flush < flushes; flush++) {
    const body = benchRows(flush * rowsPerFlush, rowsPerFlush).join("\n");
    await post(`${rest}/v1/data/batch?table=${table}`, body, "application/x-ndjson");
    for (let attempt = 0; (await tableStats(rest, table)).file_count <= flush; attempt++) {
      if (attempt > 4_000) throw new Error(`flush ${flush + 1} of ${table} did not happen`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
