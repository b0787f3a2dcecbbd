/**
 * Query benchmark of one embedded node against raw DuckDB reading the same Parquet files:
 *
 *   npm run query -w @miniodb/bench -- [--rows 10000000] [--runs 5] [--lookups 200]
 *     [--update-fraction 0.01]
 *
 * 1. Loads `--rows` distinct rows (ten payload fields) through the REST batch route, then
 *    restarts the node so that everything is flushed to Parquet.
 * 2. Runs the suite (query-suite.ts) on the node (REST /v1/query, wall time at the client) and on
 *    a DuckDB instance in this process over the node's Parquet files, alternating, `--runs` times
 *    after one warm-up each; reports medians and the ratio. A second in-process DuckDB with the
 *    node's Parquet footer cache (`parquet_metadata_cache`, off by default) runs alongside: its
 *    column shows what DuckDB itself gains from that cache.
 * 3. Point lookups by random id (p50/p99), the time to the first StreamQuery batch of a full scan,
 *    and a full StreamQuery of the table (rows/s, the node's largest RSS while streaming).
 * 4. Updates `--update-fraction` of the ids (UpdateData over REST, 8 in flight), restarts, waits
 *    for the node's live-row table of the updated files (reporting how long after the first query
 *    it was ready) and runs the suite again: the slowdown caused by the tombstones and new versions.
 * 5. Compacts the table (POST /v1/compaction: the tombstones are applied and retired) and runs the
 *    suite a third time. Scheduled lifecycle jobs are off so that only this step compacts.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { Latencies } from "./latency.js";
import { benchId, loadRows } from "./query-load.js";
import { QUERY_SUITE, suiteSql } from "./query-suite.js";
import { postJson, sendJson } from "./rest-client.js";
import { startNode, type BenchNode } from "./node-process.js";
import { firstStreamBatchMs, streamAll } from "./query-stream.js";
import { compactTable } from "./small-flushes.js";
import { payload } from "./workload.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "10000000" },
    runs: { type: "string", default: "5" },
    lookups: { type: "string", default: "200" },
    "update-fraction": { type: "string", default: "0.01" },
  },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const TABLE = "bench_query";

const dataDir = mkdtempSync(join(tmpdir(), "miniodb-query-bench-"));
const env = { MINIODB_NODE__DATA_DIR: dataDir, MINIODB_LIFECYCLE__INTERVAL_SECONDS: "0" };
let node: BenchNode = await startNode(env);
const rest = () => `http://127.0.0.1:${node.ports.rest}`;

async function query(sql: string): Promise<unknown[]> {
  const body = (await postJson(`${rest()}/v1/query`, { sql })) as { result_json: string };
  return JSON.parse(body.result_json) as unknown[];
}

async function restart(): Promise<void> {
  await node.stop();
  node = await startNode(env);
}

function parquetFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".parquet"))
    .map((entry) => join(entry.parentPath, entry.name));
}

const timed = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};
const loadAverage = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
const ms = (value: number) => value.toFixed(1).padStart(8);

type RawQuery = (sql: string) => Promise<unknown>;

async function runSuite(raw?: { plain: RawQuery; cached: RawQuery }) {
  const results: Array<{ name: string; ours: number; raw?: number; cached?: number }> = [];
  for (const { name, sql } of QUERY_SUITE) {
    const ours: number[] = [];
    const direct: number[] = [];
    const cached: number[] = [];
    await query(suiteSql(sql, TABLE));
    if (raw) await raw.plain(suiteSql(sql, "raw"));
    if (raw) await raw.cached(suiteSql(sql, "raw"));
    for (let run = 0; run < RUNS; run++) {
      ours.push(await timed(() => query(suiteSql(sql, TABLE))));
      if (raw) direct.push(await timed(() => raw.plain(suiteSql(sql, "raw"))));
      if (raw) cached.push(await timed(() => raw.cached(suiteSql(sql, "raw"))));
    }
    results.push({
      name,
      ours: median(ours),
      ...(raw ? { raw: median(direct), cached: median(cached) } : {}),
    });
  }
  return results;
}

try {
  await fetch(`${rest()}/v1/tables`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ table_name: TABLE }),
  });
  const loadSeconds = await loadRows(rest(), TABLE, ROWS);
  console.log(
    `loaded ${ROWS} rows in ${loadSeconds.toFixed(1)} s (${Math.round(ROWS / loadSeconds)} rows/s)`,
  );
  await restart();
  const files = parquetFiles(join(dataDir, "objects"));
  console.log(`${files.length} Parquet files after the flush`);

  const rawView = `CREATE VIEW raw AS SELECT * FROM read_parquet([${files.map((file) => `'${file}'`).join(", ")}])`;
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(rawView);
  const cachedInstance = await DuckDBInstance.create(":memory:");
  const cachedConnection = await cachedInstance.connect();
  await cachedConnection.run("SET GLOBAL parquet_metadata_cache = true");
  await cachedConnection.run(rawView);
  const raw = {
    plain: async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson(),
    cached: async (sql: string) => (await cachedConnection.runAndReadAll(sql)).getRowObjectsJson(),
  };

  const loadBefore = loadAverage();
  const before = await runSuite(raw);
  console.log(
    `\nquery (median of ${RUNS})            MinIODB ms   DuckDB ms   ratio   DuckDB+footer cache ms   ratio`,
  );
  console.log(`load average ${loadBefore} before the suite, ${loadAverage()} after`);
  for (const result of before) {
    console.log(
      `${result.name.padEnd(32)} ${ms(result.ours)}    ${ms(result.raw!)}   ${(result.ours / result.raw!).toFixed(2)}` +
        `   ${ms(result.cached!)}                 ${(result.ours / result.cached!).toFixed(2)}`,
    );
  }

  const lookups = new Latencies();
  for (let i = 0; i < Number(values.lookups); i++) {
    const id = benchId(Math.floor(Math.random() * ROWS));
    lookups.add(await timed(() => query(`SELECT * FROM ${TABLE} WHERE id = '${id}'`)));
  }
  console.log(
    `\npoint lookup by id: p50 ${lookups.percentile(50).toFixed(1)} ms, p99 ${lookups.percentile(99).toFixed(1)} ms`,
  );

  const grpc = `http://127.0.0.1:${node.ports.grpc}`;
  const firsts: number[] = [];
  for (let i = 0; i < 5; i++) firsts.push(await firstStreamBatchMs(grpc, `SELECT * FROM ${TABLE}`, 1000));
  console.log(`first StreamQuery batch of a full scan: median ${median(firsts).toFixed(1)} ms (of 5)`);
  const streamed = await streamAll(grpc, `SELECT * FROM ${TABLE}`, 5000, node.child.pid!);
  console.log(
    `full StreamQuery: ${streamed.rows} rows in ${streamed.seconds.toFixed(1)} s ` +
      `(${Math.round(streamed.rows / streamed.seconds)} rows/s); node RSS at most ${streamed.maxRssMiB} MiB while streaming`,
  );

  const updates = Math.round(ROWS * Number(values["update-fraction"]));
  if (updates > 0) {
    const updateSeconds = await updateRows(updates);
    console.log(
      `\nupdated ${updates} ids in ${updateSeconds.toFixed(1)} s (${Math.round(updates / updateSeconds)} updates/s)`,
    );
    await restart();
    const readyMs = await liveRowsReadyMs();
    console.log(`live-row table ready ${readyMs.toFixed(0)} ms after the first query of the table`);
    const after = await runSuite();
    const compactSeconds = await compact();
    console.log(`\ncompacted in ${compactSeconds.toFixed(1)} s`);
    const compacted = await runSuite();
    console.log(
      `query (median of ${RUNS})        before ms    after ms   slowdown   compacted ms   slowdown`,
    );
    const line = (name: string, base: number, ours: number, last: number) =>
      console.log(
        `${name.padEnd(32)} ${ms(base)}    ${ms(ours)}   ${(ours / base).toFixed(2)}` +
          `       ${ms(last)}   ${(last / base).toFixed(2)}`,
      );
    after.forEach((result, index) =>
      line(result.name, before[index]!.ours, result.ours, compacted[index]!.ours),
    );
    const total = (results: ReadonlyArray<{ ours: number }>) => results.reduce((sum, r) => sum + r.ours, 0);
    line("whole suite", total(before), total(after), total(compacted));
  }
  connection.closeSync();
  instance.closeSync();
  cachedConnection.closeSync();
  cachedInstance.closeSync();
} finally {
  await node.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Runs one query (whose tombstone join queues the build of the table's live rows) and waits for
 * the node to report the build done: how long queries take the slower path after updates.
 */
async function liveRowsReadyMs(): Promise<number> {
  const started = performance.now();
  await query(`SELECT count(*) FROM ${TABLE}`);
  for (;;) {
    const status = (await (await fetch(`${rest()}/v1/status`)).json()) as {
      cache_stats: { live_rows: { builds: number; failed_builds: number } };
    };
    const { builds, failed_builds: failed } = status.cache_stats.live_rows;
    if (builds > 0) return performance.now() - started;
    if (failed > 0) throw new Error("the live-row table build failed (see the node's log)");
    if (performance.now() - started > 600_000) throw new Error("no live-row table after 10 minutes");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function compact(): Promise<number> {
  const started = performance.now();
  console.log(`compaction: ${JSON.stringify(await compactTable(rest(), TABLE))}`);
  return (performance.now() - started) / 1000;
}

async function updateRows(count: number): Promise<number> {
  const started = performance.now();
  const stride = Math.max(1, Math.floor(ROWS / count));
  let next = 0;
  const worker = async () => {
    for (;;) {
      const n = next++;
      if (n >= count) return;
      const i = n * stride;
      const response = await sendJson("PUT", `${rest()}/v1/data`, {
        table: TABLE,
        id: benchId(i),
        payload: { ...payload(i), visits: -1 },
      });
      if (response.status !== 200) throw new Error(`update failed: ${response.status} ${response.text}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return (performance.now() - started) / 1000;
}
