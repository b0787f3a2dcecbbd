/**
 * One query node with two workers against one all-in-one node, side by side in one run, both on
 * the same Redis and S3 server (separate buckets and tables):
 *
 *   npm run cluster -w @miniodb/bench -- [--rows 400000] [--rounds 4] [--runs 5] [--flush-interval 5]
 *                                          [--other <checkout>] [--phases] [--profile-windows file.json]
 *                                          [--compact] [--buffer-size 50000] [--worker-query-threads N]
 *
 * 1. Ingest: `--rounds` alternating loads of rows/rounds rows each (REST batch route, 4 clients),
 *    single node then cluster; rows/s of each and the cluster's share of the single node's. Every
 *    table has the same settings (buffer_size `--buffer-size`, flush_interval_seconds `--flush-interval`);
 *    the Parquet files each table holds once its buffers flushed are printed, since a slower
 *    ingest flushes more, smaller files by time.
 * 2. Queries: the query suite (query-suite.ts) after the buffers flushed; per query one warm-up on
 *    each, then `--runs` alternating timed runs; medians, the coordinator's overhead (cluster time
 *    over single-node time, minus one), and whether both answered the same rows.
 *    With `--compact`, the suite runs again after a compaction of both tables (POST /v1/compaction,
 *    what the lifecycle job does every minute by default), on the layout a table settles into.
 * 3. The rows each worker scanned during the query runs (GetStats.rows_scanned) and their balance.
 * With `--other`, a second cluster of another checkout (e.g. the previous commit; it needs its own
 * node_modules) runs alongside on its own Redis and bucket, takes its turn in every round and run,
 * and each query also reports this cluster's time over the other's.
 * With `--phases`, every timed query carries a sampled `traceparent` and this checkout's nodes
 * export their spans (sampling nothing else) to a collector in this process: per query, the
 * median time of each phase (query.snapshot, query.plan, query.fragments with the ExecuteFragment
 * calls and the workers' fragment.inputs and fragment.run, query.results, query.execute) on both
 * set-ups. Tracing costs both alike, a little.
 * `--worker-query-threads` sets the workers' query.threads (DuckDB threads per fragment; one per
 * core when unset), this checkout's only: two workers on one machine each use every core otherwise.
 * The load average is printed before and after: the machine is shared.
 * `--profile-windows` writes the start and end of the ingest and of the timed query runs
 * (CLOCK_MONOTONIC µs, the clock of V8's CPU profiles) for `profile-summary --windows`.
 * BENCH_NODE_ARGS passes extra Node flags to this checkout's nodes (e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof"; each process writes its own profile, named by its pid).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { startRedisServer } from "@miniodb/metadata/testing";
import { WorkerService } from "@miniodb/proto/cluster";
import { S3rverProcess } from "@miniodb/storage/testing";
import { CLI, cpuSeconds, startNode, type BenchNode } from "./node-process.js";
import { loadRows } from "./query-load.js";
import { QUERY_SUITE, suiteSql } from "./query-suite.js";
import { newTraceparent, phaseMedians, SpanCollector, timeline } from "./span-collector.js";
import { loadAverage } from "./load-average.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "400000" },
    rounds: { type: "string", default: "4" },
    runs: { type: "string", default: "5" },
    "flush-interval": { type: "string", default: "5" },
    "buffer-size": { type: "string", default: "50000" },
    other: { type: "string" },
    phases: { type: "boolean", default: false },
    "profile-windows": { type: "string" },
    compact: { type: "boolean", default: false },
    "worker-query-threads": { type: "string" },
  },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);
const RUNS = Number(values.runs);
const FLUSH_INTERVAL_SECONDS = Number(values["flush-interval"]);
const BUFFER_SIZE = Number(values["buffer-size"]);
const NODE_ARGS = (process.env["BENCH_NODE_ARGS"] ?? "").split(" ").filter((arg) => arg !== "");
const windows: Array<{ name: string; startUs: number; endUs: number }> = [];
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

console.log(`load average at start: ${loadAverage()} (2 cores shared with other work)`);
const otherCli = values.other ? join(values.other, "packages/query-node/src/bin/miniodb.ts") : undefined;
const [redis, otherRedis, s3] = await Promise.all([
  startRedisServer(),
  otherCli ? startRedisServer() : undefined,
  S3rverProcess.start(),
]);
const collector = values.phases ? await SpanCollector.start() : undefined;
const tracing: Record<string, string> = collector
  ? {
      MINIODB_OBSERVABILITY__TRACING__EXPORTER: "otlp",
      MINIODB_OBSERVABILITY__TRACING__OTLP__ENDPOINT: collector.endpoint,
      MINIODB_OBSERVABILITY__TRACING__SAMPLE_RATIO: "0",
      MINIODB_OBSERVABILITY__TRACING__EXPORT_INTERVAL_MS: "1000",
    }
  : {};
const scratch = mkdtempSync(join(tmpdir(), "miniodb-cluster-bench-"));
const backends = (bucket: string, redisPort = redis.port) => ({
  REDIS_HOST: "127.0.0.1",
  REDIS_PORT: String(redisPort),
  MINIO_ENDPOINT: s3.endpoint,
  MINIO_ACCESS_KEY_ID: "S3RVER",
  MINIO_SECRET_ACCESS_KEY: "S3RVER",
  MINIO_BUCKET: bucket,
  MINIODB_LIFECYCLE__INTERVAL_SECONDS: "0",
});
const nodes: BenchNode[] = [];
const start = async (id: string, env: Record<string, string>, args: string[], cli = CLI) => {
  const node = await startNode(
    { ...env, ...(cli === CLI ? tracing : {}), MINIODB_NODE__DATA_DIR: join(scratch, id) },
    cli === CLI ? NODE_ARGS : [],
    ["--node-id", id, ...args],
    cli,
  );
  nodes.push(node);
  return node;
};
/** A query node and two workers of the given checkout on their own Redis. */
const workerQueryThreads = values["worker-query-threads"];
const startCluster = async (prefix: string, env: Record<string, string>, cli = CLI) => {
  const workerEnv =
    workerQueryThreads && cli === CLI ? { ...env, MINIODB_QUERY__THREADS: workerQueryThreads } : env;
  const workers = await Promise.all(
    ["w1", "w2"].map((id) =>
      start(`${prefix}${id}`, workerEnv, ["--role", "worker", "--cluster-port", "0"], cli),
    ),
  );
  const query = await start(`${prefix}q1`, env, ["--role", "query"], cli);
  return { workers, query };
};

try {
  const single = await start("single", backends("single"), []);
  const { workers, query } = await startCluster("", backends("cluster"));
  const other =
    otherCli && otherRedis
      ? await startCluster("other-", backends("cluster-other", otherRedis.port), otherCli)
      : undefined;
  console.log(
    `pids (CPU profiles are named by them): single ${single.child.pid}, q1 ${query.child.pid}, ` +
      workers.map((worker, index) => `w${index + 1} ${worker.child.pid}`).join(", "),
  );
  const targets = [
    {
      name: "single node",
      rest: `http://127.0.0.1:${single.ports.rest}`,
      table: "bench_single",
      processes: [single],
    },
    {
      name: "1 query + 2 workers",
      rest: `http://127.0.0.1:${query.ports.rest}`,
      table: "bench_cluster",
      processes: [query, ...workers],
    },
    ...(other
      ? [
          {
            name: "other checkout's cluster",
            rest: `http://127.0.0.1:${other.query.ports.rest}`,
            table: "bench_other",
            processes: [other.query, ...other.workers],
          },
        ]
      : []),
  ];
  /** CPU seconds of each process of a set-up so far (every thread: main, DuckDB, libuv). */
  const cpuOf = (nodes: readonly BenchNode[]) =>
    nodes.map((node) => {
      const { main, others } = cpuSeconds(node.child.pid!);
      return main + others;
    });
  for (const target of targets) {
    await post(`${target.rest}/v1/tables`, {
      table_name: target.table,
      config: { buffer_size: BUFFER_SIZE, flush_interval_seconds: FLUSH_INTERVAL_SECONDS },
    });
  }

  // Ingest, alternating rounds.
  const seconds = targets.map(() => 0);
  // CPU each process spent during its own set-up's rounds (a flush may run on into the next).
  const ingestCpu = targets.map((target) => target.processes.map(() => 0));
  const ingestStartUs = monotonicUs();
  const perRound = Math.ceil(ROWS / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, target] of targets.entries()) {
      const before = cpuOf(target.processes);
      seconds[index]! += await loadRange(target.rest, target.table, round * perRound, perRound);
      cpuOf(target.processes).forEach(
        (after, process) => (ingestCpu[index]![process]! += after - before[process]!),
      );
    }
    if (ROUNDS > 4) console.log(`  round ${round + 1}/${ROUNDS} loaded (load average ${loadAverage()})`);
  }
  windows.push({ name: "ingest", startUs: ingestStartUs, endUs: monotonicUs() });
  const rates = seconds.map((total) => (perRound * ROUNDS) / total);
  console.log(
    `\ningest of ${perRound * ROUNDS} rows in ${ROUNDS} alternating rounds (REST batch, 4 clients)`,
  );
  const totalRows = perRound * ROUNDS;
  targets.forEach((target, index) => {
    const perRow = ingestCpu[index]!.map((cpu) => (cpu / totalRows) * 1e6);
    const sum = perRow.reduce((total, value) => total + value, 0);
    console.log(
      `  ${target.name.padEnd(22)} ${Math.round(rates[index]!)} rows/s; CPU per row ${sum.toFixed(1)} µs` +
        (perRow.length > 1
          ? ` (query node ${perRow[0]!.toFixed(1)}, workers ${perRow
              .slice(1)
              .map((value) => value.toFixed(1))
              .join(" + ")})`
          : ""),
    );
  });
  console.log(`  cluster / single: ${((rates[1]! / rates[0]!) * 100).toFixed(0)} %`);
  await new Promise((resolve) => setTimeout(resolve, (FLUSH_INTERVAL_SECONDS + 4) * 1000));
  const files = await Promise.all(targets.map((target) => fileCount(target.rest, target.table)));
  console.log(
    `  Parquet files after the flushes (flush_interval_seconds ${FLUSH_INTERVAL_SECONDS}): ` +
      targets.map((target, index) => `${target.name} ${files[index]}`).join(", "),
  );

  // Queries, alternating runs.
  const scannedBefore = await Promise.all(workers.map(rowsScanned));
  const runSuite = async (layout: string) => {
    console.log(
      `\n${layout}\nquery (median of ${RUNS})            single ms  cluster ms  overhead  same rows` +
        (other ? "  other ms  overhead  this/other" : ""),
    );
    const overheads: number[] = [];
    const otherOverheads: number[] = [];
    const versusOther: number[] = [];
    const traced: Array<{ name: string; traces: string[][] }> = [];
    const queriesStartUs = monotonicUs();
    for (const { name, sql } of QUERY_SUITE) {
      const answers = await Promise.all(
        targets.map((target) => run(target.rest, suiteSql(sql, target.table))),
      );
      const same = answers.slice(1).every((answer) => sameRows(answers[0]!, answer));
      const times: number[][] = targets.map(() => []);
      const traces: string[][] = targets.map(() => []);
      for (let attempt = 0; attempt < RUNS; attempt++) {
        for (const [index, target] of targets.entries()) {
          const trace = collector && index < 2 ? newTraceparent() : undefined;
          const started = performance.now();
          await run(target.rest, suiteSql(sql, target.table), trace?.header);
          times[index]!.push(performance.now() - started);
          if (trace) traces[index]!.push(trace.traceId);
        }
      }
      traced.push({ name, traces });
      const [a, b, c] = times.map(median) as [number, number, number | undefined];
      overheads.push(b / a - 1);
      let line =
        `${name.padEnd(32)} ${a.toFixed(1).padStart(9)}  ${b.toFixed(1).padStart(10)}  ` +
        `${pct(b / a - 1).padStart(8)}  ${(same ? "yes" : "NO").padStart(9)}`;
      if (c !== undefined) {
        otherOverheads.push(c / a - 1);
        versusOther.push(b / c);
        line += `  ${c.toFixed(1).padStart(8)}  ${pct(c / a - 1).padStart(8)}  ${pct(b / c).padStart(10)}`;
      }
      console.log(line);
    }
    windows.push({ name: "queries", startUs: queriesStartUs, endUs: monotonicUs() });
    if (values["profile-windows"]) writeFileSync(values["profile-windows"], JSON.stringify(windows, null, 2));
    console.log(`median overhead over the suite: ${pct(median(overheads))}`);
    if (other) {
      console.log(`median overhead of the other checkout's cluster: ${pct(median(otherOverheads))}`);
      console.log(`median time of this cluster over the other's: ${pct(median(versusOther))}`);
    }
    return traced;
  };
  let traced = await runSuite("files as flushed");
  if (values.compact) {
    const compacting = performance.now();
    await Promise.all(targets.map((target) => post(`${target.rest}/v1/compaction`, { table: target.table })));
    const compacted = await Promise.all(targets.map((target) => fileCount(target.rest, target.table)));
    traced = await runSuite(
      `after compaction (${((performance.now() - compacting) / 1000).toFixed(1)} s): Parquet files ` +
        targets.map((target, index) => `${target.name} ${compacted[index]}`).join(", "),
    );
  }
  if (collector) {
    // Spans are exported every second.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    console.log(`\nphases, median ms over the ${RUNS} timed runs (per run the slower worker)`);
    for (const { name, traces } of traced) {
      const [single, cluster] = traces.map((ids) => phaseMedians(ids.map((id) => collector.spans(id))));
      const line = (phases: Map<string, number> | undefined) =>
        [...(phases ?? [])]
          .filter(([key]) => !key.includes(" object."))
          .map(([key, ms]) => `${key.replace("miniodb.cluster.v1.WorkerService/", "")} ${ms.toFixed(1)}`)
          .join(", ");
      console.log(`${name}\n  single:  ${line(single)}\n  cluster: ${line(cluster)}`);
    }
    const last = traced[0]?.traces[1]?.at(-1);
    if (last) {
      console.log(`\none cluster run of "${traced[0]!.name}", span by span:`);
      for (const entry of timeline(collector.spans(last))) console.log(`  ${entry}`);
    }
  }
  const scannedAfter = await Promise.all(workers.map(rowsScanned));
  const scanned = scannedAfter.map((after, index) => after - scannedBefore[index]!);
  const mean = (scanned[0]! + scanned[1]!) / 2;
  console.log(
    `\nrows scanned during the query runs: w1 ${scanned[0]}, w2 ${scanned[1]} ` +
      `(each within ${pct(Math.abs(scanned[0]! - mean) / mean)} of the mean)`,
  );
  console.log(`load average at the end: ${loadAverage()}`);
} finally {
  await Promise.all(nodes.reverse().map((node) => node.stop()));
  await Promise.all([redis.stop(), otherRedis?.stop(), s3.dispose(), collector?.close()]);
  rmSync(scratch, { recursive: true, force: true });
}

/** Loads rows `first` … `first + count - 1` (the query benchmark's rows) and returns the seconds. */
async function loadRange(rest: string, table: string, first: number, count: number): Promise<number> {
  return loadRows(rest, table, count, 4, 5000, first);
}

async function fileCount(rest: string, table: string): Promise<number> {
  const response = await fetch(`${rest}/v1/tables/${table}`);
  const body = (await response.json()) as { table_info?: { stats?: { file_count?: number } } };
  if (!response.ok) throw new Error(`table ${table}: ${response.status} ${JSON.stringify(body)}`);
  return body.table_info?.stats?.file_count ?? 0;
}

async function run(rest: string, sql: string, traceparent?: string): Promise<unknown[]> {
  const body = (await post(`${rest}/v1/query`, { sql }, traceparent)) as { result_json: string };
  return JSON.parse(body.result_json) as unknown[];
}

async function post(url: string, body: unknown, traceparent?: string): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(traceparent ? { traceparent } : {}) },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`${url} failed: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

async function rowsScanned(worker: BenchNode): Promise<number> {
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${worker.ports.cluster}` });
  return Number((await createClient(WorkerService, transport).getStats({})).rowsScanned);
}

function sameRows(a: unknown[], b: unknown[]): boolean {
  const sorted = (rows: unknown[]) => rows.map((row) => JSON.stringify(row)).sort();
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function median(samples: number[]): number {
  return [...samples].sort((x, y) => x - y)[Math.floor(samples.length / 2)]!;
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(0)} %`;
}
