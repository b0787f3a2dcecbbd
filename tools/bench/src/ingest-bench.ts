/**
 * Ingest benchmark of one embedded node (a separate process on this machine, durable fsync acks):
 *
 *   npm run ingest -w @miniodb/bench -- [--rows 10000000] [--rest-rows 2000000] [--unary-seconds 20]
 *     [--scenarios stream1,stream2,rest,unary16,unary64] [--cli <checkout>/packages/query-node/src/bin/miniodb.ts]
 *     [--profile-windows file.json]
 *
 * 1. StreamWrite: `--rows` rows with 10 payload fields, in messages of 1,000 records, over one
 *    stream, then again over two concurrent streams.
 * 2. REST batch: `--rest-rows` rows as NDJSON bodies of 5,000 records from 4 concurrent clients.
 * 3. Unary WriteData for `--unary-seconds` with 16, then 64 calls in flight on one connection.
 *
 * `--scenarios` runs only the named ones, in the order above. `--cli` runs another checkout's node
 * under the same load generator (for side-by-side comparisons of two builds).
 * The gRPC load is pre-encoded and sent over raw HTTP/2 (see raw-grpc.ts), so the load generator
 * stays cheap and the figures are the node's. Reports rows/s (or requests/s), ack latency p50/p99,
 * the node's CPU use (main thread and other threads: DuckDB, libuv pool) next to the load
 * generator's own, the node's main-thread CPU time per row or request, and the node's peak RSS.
 * BENCH_NODE_ARGS passes extra Node flags to the node process, e.g. "--cpu-prof --cpu-prof-dir=d";
 * `--profile-windows` writes each scenario's start and end (CLOCK_MONOTONIC µs, the clock of V8's
 * CPU profiles) so that profile-summary.ts can split such a profile by scenario.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  restBatchScenario,
  streamWriteScenario,
  writeDataScenario,
  type ScenarioResult,
} from "./ingest-scenarios.js";
import { CLI, cpuSeconds, peakRssMiB, startNode, type BenchNode } from "./node-process.js";
import { RawGrpcConnection } from "./raw-grpc.js";
import { ndjsonBodies, streamWriteFrames, writeDataFrames } from "./workload.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "10000000" },
    "rest-rows": { type: "string", default: "2000000" },
    "unary-seconds": { type: "string", default: "20" },
    "profile-windows": { type: "string" },
    scenarios: { type: "string", default: "stream1,stream2,rest,unary16,unary64" },
    cli: { type: "string", default: CLI },
  },
});

const SCENARIOS = ["stream1", "stream2", "rest", "unary16", "unary64"] as const;
const selected = new Set(values.scenarios.split(",").map((name) => name.trim()));
for (const name of selected) {
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    console.error(`unknown scenario ${name}: expected some of ${SCENARIOS.join(",")}`);
    process.exit(2);
  }
}

const STREAM_BATCH_ROWS = 1000;
const STREAM_BATCHES = 40;
const UNARY_REQUESTS = 20_000;
const REST_BODY_ROWS = 5000;
const REST_BODIES = 20;

const encodeStarted = performance.now();
const wanted = (...names: string[]) => names.some((name) => selected.has(name));
const streamFrames = wanted("stream1", "stream2")
  ? streamWriteFrames("bench_stream", STREAM_BATCHES, STREAM_BATCH_ROWS)
  : [];
const unaryFrames = wanted("unary16", "unary64") ? writeDataFrames("bench_unary", UNARY_REQUESTS) : [];
const restBodies = wanted("rest") ? ndjsonBodies(REST_BODIES, REST_BODY_ROWS) : [];
console.log(
  `Load: pre-encoded in ${((performance.now() - encodeStarted) / 1000).toFixed(1)} s and cycled — ` +
    `StreamWrite ${STREAM_BATCHES} messages x ${STREAM_BATCH_ROWS} rows, WriteData ${UNARY_REQUESTS} requests, ` +
    `REST ${REST_BODIES} bodies x ${REST_BODY_ROWS} rows; ids are distinct within a cycle and repeat across cycles.`,
);

const windows: Array<{ name: string; startUs: number; endUs: number }> = [];
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Runs one scenario and prints its line: throughput, latencies, the node's CPU and peak RSS. */
async function report(
  node: BenchNode,
  name: string,
  unit: "rows" | "requests",
  run: () => Promise<ScenarioResult>,
) {
  const pid = node.child.pid!;
  const cpuBefore = cpuSeconds(pid);
  const ownBefore = process.cpuUsage();
  const startUs = monotonicUs();
  const result = await run();
  windows.push({ name, startUs, endUs: monotonicUs() });
  const cpuAfter = cpuSeconds(pid);
  const own = process.cpuUsage(ownBefore);
  const cores = (key: "main" | "others") => ((cpuAfter[key] - cpuBefore[key]) / result.seconds).toFixed(2);
  const mainMicrosEach = ((cpuAfter.main - cpuBefore.main) * 1e6) / Math.max(result.rows, 1);
  const latency = result.latencies
    ? `; ack p50 ${result.latencies.percentile(50).toFixed(1)} ms, p99 ${result.latencies.percentile(99).toFixed(1)} ms`
    : "";
  console.log(
    `${name}: ${result.rows} ${unit} in ${result.seconds.toFixed(1)} s = ${Math.round(result.rows / result.seconds)} ${unit}/s` +
      ` (errors: ${result.errors})${latency}; node CPU main ${cores("main")} + other threads ${cores("others")} cores` +
      ` (load generator ${((own.user + own.system) / 1e6 / result.seconds).toFixed(2)});` +
      ` node main thread ${mainMicrosEach.toFixed(1)} µs per ${unit === "rows" ? "row" : "request"};` +
      ` peak RSS ${peakRssMiB(pid)} MiB; load average ${loadavg()[0]!.toFixed(2)}`,
  );
}

const dataDir = mkdtempSync(join(tmpdir(), "miniodb-bench-"));
const node = await startNode(
  { MINIODB_NODE__DATA_DIR: dataDir },
  (process.env["BENCH_NODE_ARGS"] ?? "").split(" ").filter((arg) => arg !== ""),
  [],
  values.cli,
);
console.log(
  `node: ${values.cli} (load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(" ")})`,
);
try {
  const connection = await RawGrpcConnection.connect(`http://127.0.0.1:${node.ports.grpc}`);
  try {
    for (const streams of [1, 2]) {
      if (!selected.has(`stream${streams}`)) continue;
      await report(node, `StreamWrite (gRPC, ${streams} stream(s), 1,000 rows/message)`, "rows", () =>
        streamWriteScenario(connection, {
          frames: streamFrames,
          batchRows: STREAM_BATCH_ROWS,
          rows: Number(values.rows),
          streams,
        }),
      );
    }
    if (selected.has("rest"))
      await report(node, "REST batch (NDJSON, 5,000/request, 4 clients)", "rows", () =>
        restBatchScenario(`http://127.0.0.1:${node.ports.rest}`, {
          bodies: restBodies,
          bodyRows: REST_BODY_ROWS,
          rows: Number(values["rest-rows"]),
          clients: 4,
        }),
      );
    for (const concurrency of [16, 64]) {
      if (!selected.has(`unary${concurrency}`)) continue;
      await report(node, `Unary WriteData (gRPC, ${concurrency} in flight, 1 connection)`, "requests", () =>
        writeDataScenario(connection, {
          frames: unaryFrames,
          seconds: Number(values["unary-seconds"]),
          concurrency,
        }),
      );
    }
  } finally {
    await connection.close();
  }
  console.log(
    `node peak RSS: ${peakRssMiB(node.child.pid!)} MiB (load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(" ")})`,
  );
  if (values["profile-windows"]) writeFileSync(values["profile-windows"], JSON.stringify(windows, null, 2));
} finally {
  await node.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
