/**
 * The fixed cost of one hand-over between a query node and a worker, without data: one worker on
 * Redis and an S3 server, called directly over the internal API the way a query node calls it
 * (Connect, binary, HTTP/2, one connection):
 *
 *   npm run fragment-latency -w @miniodb/bench -- [--calls 1000]
 *
 * - GetStats: a unary call that does no work, the round trip of the protocol itself;
 * - ExecuteFragment of `SELECT count(*)` over a table input without files or buffer, its result
 *   expected to be one row (the path of a split aggregate): the round trip plus the worker's
 *   steps around its DuckDB run (SQL check, inputs, the view, the statement, the inline result).
 * Medians and 10th/90th percentiles over `--calls` sequential calls after 50 warm-up calls.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { startRedisServer } from "@miniodb/metadata/testing";
import { WorkerService } from "@miniodb/proto/cluster";
import { S3rverProcess } from "@miniodb/storage/testing";
import { Latencies } from "./latency.js";
import { loadAverage } from "./load-average.js";
import { startNode } from "./node-process.js";

const { values } = parseArgs({ options: { calls: { type: "string", default: "1000" } } });
const CALLS = Number(values.calls);
const WARM_UP_CALLS = 50;

const [redis, s3] = await Promise.all([startRedisServer(), S3rverProcess.start()]);
const scratch = mkdtempSync(join(tmpdir(), "miniodb-fragment-latency-"));
const worker = await startNode(
  {
    REDIS_HOST: "127.0.0.1",
    REDIS_PORT: String(redis.port),
    MINIO_ENDPOINT: s3.endpoint,
    MINIO_ACCESS_KEY_ID: "S3RVER",
    MINIO_SECRET_ACCESS_KEY: "S3RVER",
    MINIO_BUCKET: "fragment-latency",
    MINIODB_NODE__DATA_DIR: join(scratch, "w1"),
  },
  [],
  ["--node-id", "w1", "--role", "worker", "--cluster-port", "0"],
);
try {
  const baseUrl = `http://127.0.0.1:${worker.ports.cluster}`;
  const client = createClient(
    WorkerService,
    createConnectTransport({
      baseUrl,
      httpVersion: "2",
      sessionManager: new Http2SessionManager(baseUrl),
      useBinaryFormat: true,
      acceptCompression: [],
    }),
  );
  const emptyFragment = async () => {
    const stream = client.executeFragment({
      sql: "SELECT count(*) AS n FROM t",
      tables: [{ table: "t", columns: [{ name: "id", type: "VARCHAR" }] }],
      inlineMaxCells: 1_000,
      expectedRows: 1n,
    });
    for await (const message of stream) void message;
  };
  console.log(`load average at start: ${loadAverage()}`);
  console.log(`call (${CALLS} sequential)         median ms    p10    p90`);
  for (const [name, call] of [
    ["GetStats", () => client.getStats({})],
    ["ExecuteFragment, no data", emptyFragment],
  ] as const) {
    for (let index = 0; index < WARM_UP_CALLS; index++) await call();
    const latencies = new Latencies();
    for (let index = 0; index < CALLS; index++) {
      const started = performance.now();
      await call();
      latencies.add(performance.now() - started);
    }
    const figure = (p: number) => latencies.percentile(p).toFixed(2).padStart(6);
    console.log(`${name.padEnd(32)} ${figure(50)}      ${figure(10)} ${figure(90)}`);
  }
  console.log(`load average at the end: ${loadAverage()}`);
} finally {
  await worker.stop();
  await Promise.all([redis.stop(), s3.dispose()]);
  rmSync(scratch, { recursive: true, force: true });
}
