/**
 * Per-query cost of this checkout against another one (e.g. the previous commit), side by side
 * on copies of the same data, with raw DuckDB over the same Parquet files as the floor:
 *
 *   npm run query-ab -w @miniodb/bench -- --other /path/to/other/checkout [--rows 200000] [--runs 15]
 *     [--lookups 100] [--stream-runs 9]
 *
 * Loads `--rows` rows into a node of this checkout, stops it (everything is flushed), copies its
 * data directory, and starts that node again next to a node of the other checkout on the copy.
 * Each query of the suite, a point lookup by id and the first StreamQuery batch of a full scan
 * then run on this node, the other node and raw DuckDB in turn, `--runs` times after a warm-up,
 * so that the machine's load falls on all three alike. Reports medians (lookups: p50 and p99).
 * The other checkout needs its own node_modules.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { Latencies } from "./latency.js";
import { startNode, type BenchNode } from "./node-process.js";
import { benchId, loadRows } from "./query-load.js";
import { firstStreamBatchMs } from "./query-stream.js";
import { QUERY_SUITE, suiteSql } from "./query-suite.js";
import { postJson } from "./rest-client.js";
import { loadAverage } from "./load-average.js";

const { values } = parseArgs({
  options: {
    other: { type: "string" },
    rows: { type: "string", default: "200000" },
    runs: { type: "string", default: "15" },
    lookups: { type: "string", default: "100" },
    "stream-runs": { type: "string", default: "9" },
  },
});
if (!values.other) {
  console.error("usage: query-side-by-side --other <checkout> [--rows n] [--runs n] [--lookups n]");
  process.exit(2);
}
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const TABLE = "bench_query";
const otherCli = join(values.other, "packages/query-node/src/bin/miniodb.ts");

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
const ms = (value: number) => value.toFixed(1).padStart(9);

async function queryOn(node: BenchNode, sql: string): Promise<void> {
  await postJson(`http://127.0.0.1:${node.ports.rest}/v1/query`, { sql });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const thisDir = mkdtempSync(join(tmpdir(), "miniodb-query-ab-"));
const otherDir = `${thisDir}-other`;
const env = (dir: string) => ({ MINIODB_NODE__DATA_DIR: dir, MINIODB_LIFECYCLE__INTERVAL_SECONDS: "0" });
let nodes: BenchNode[] = [];
try {
  const loader = await startNode(env(thisDir));
  const seconds = await loadRows(`http://127.0.0.1:${loader.ports.rest}`, TABLE, ROWS);
  await loader.stop();
  cpSync(thisDir, otherDir, { recursive: true });
  nodes = [await startNode(env(thisDir)), await startNode(env(otherDir), [], [], otherCli)];
  const [ours, theirs] = nodes as [BenchNode, BenchNode];
  const files = readdirSync(join(thisDir, "objects"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".parquet"))
    .map((entry) => join(entry.parentPath, entry.name));
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(
    `CREATE VIEW raw AS SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(", ")}])`,
  );
  const raw = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
  console.log(
    `${ROWS} rows loaded in ${seconds.toFixed(1)} s into ${files.length} Parquet files; load average ${loadAverage()}`,
  );

  console.log(`\nquery (median of ${RUNS})               this ms  other ms    raw ms  this/raw other/raw`);
  for (const { name, sql } of QUERY_SUITE) {
    const samples: number[][] = [[], [], []];
    const runs = [
      () => queryOn(ours, suiteSql(sql, TABLE)),
      () => queryOn(theirs, suiteSql(sql, TABLE)),
      () => raw(suiteSql(sql, "raw")),
    ];
    for (const run of runs) await run();
    for (let i = 0; i < RUNS; i++) for (let k = 0; k < 3; k++) samples[k]!.push(await timed(runs[k]!));
    const [a, b, r] = samples.map(median) as [number, number, number];
    console.log(
      `${name.padEnd(32)}${ms(a)}${ms(b)}${ms(r)}${(a / r).toFixed(2).padStart(10)}${(b / r).toFixed(2).padStart(10)}`,
    );
  }

  const lookups = [new Latencies(), new Latencies()];
  for (let i = 0; i < Number(values.lookups); i++) {
    const sql = `SELECT * FROM ${TABLE} WHERE id = '${benchId(Math.floor(Math.random() * ROWS))}'`;
    for (let k = 0; k < 2; k++) lookups[k]!.add(await timed(() => queryOn(nodes[k]!, sql)));
  }
  const [lookupOurs, lookupTheirs] = lookups as [Latencies, Latencies];
  console.log(
    `\npoint lookup by id, p50 / p99 ms: this ${lookupOurs.percentile(50).toFixed(1)} / ` +
      `${lookupOurs.percentile(99).toFixed(1)}, other ${lookupTheirs.percentile(50).toFixed(1)} / ` +
      `${lookupTheirs.percentile(99).toFixed(1)}`,
  );

  const firstBatch: number[][] = [[], []];
  for (let i = 0; i < Number(values["stream-runs"]); i++)
    for (let k = 0; k < 2; k++)
      firstBatch[k]!.push(
        await firstStreamBatchMs(`http://127.0.0.1:${nodes[k]!.ports.grpc}`, `SELECT * FROM ${TABLE}`, 1000),
      );
  console.log(
    `first StreamQuery batch (1,000 rows) of a full scan, median ms: this ${median(firstBatch[0]!).toFixed(1)}, ` +
      `other ${median(firstBatch[1]!).toFixed(1)}; load average now ${loadAverage()}`,
  );
} finally {
  for (const node of nodes) await node.stop();
  rmSync(thisDir, { recursive: true, force: true });
  rmSync(otherDir, { recursive: true, force: true });
}
