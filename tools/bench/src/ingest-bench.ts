/**
 * Ingest benchmark of one embedded node (a separate process on this machine, durable fsync acks):
 *
 *   npm run ingest -w @miniodb/bench -- [--rows 10000000] [--rest-rows 2000000] [--unary-seconds 20]
 *
 * 1. StreamWrite: `--rows` rows with 10 payload fields, in messages of 1,000 records, one stream.
 * 2. REST batch: `--rest-rows` rows as NDJSON bodies of 5,000 records from 4 concurrent clients.
 * 3. Unary WriteData over gRPC from 16 concurrent clients for `--unary-seconds`.
 * Reports rows/s (or requests/s), ack latency p50/p99 and the node's peak RSS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  DataRecordSchema,
  MinIODBService,
  StreamWriteRequestSchema,
  type StreamWriteRequest,
} from "@miniodb/proto";
import { Latencies } from "./latency.js";
import { peakRssMiB, startNode } from "./node-process.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "10000000" },
    "rest-rows": { type: "string", default: "2000000" },
    "unary-seconds": { type: "string", default: "20" },
  },
});

function payload(i: number) {
  return {
    user: `user-${i % 100_000}`,
    age: 18 + (i % 60),
    score: (i % 1000) / 10,
    country: ["NO", "SE", "DK", "FI", "IS"][i % 5]!,
    active: i % 3 === 0,
    visits: i % 500,
    plan: ["free", "pro", "team"][i % 3]!,
    device: `device-${i % 37}`,
    latency_ms: (i * 7) % 900,
    region: `r${i % 12}`,
  };
}

const BASE_MS = Date.UTC(2026, 10, 1);

function streamMessages(batches: number): StreamWriteRequest[] {
  return Array.from({ length: batches }, (_, batch) =>
    create(StreamWriteRequestSchema, {
      table: "bench_stream",
      records: Array.from({ length: 1000 }, (_, j) => {
        const i = batch * 1000 + j;
        return create(DataRecordSchema, {
          id: `s-${i}`,
          timestamp: timestampFromMs(BASE_MS + i * 10),
          payload: payload(i),
        });
      }),
    }),
  );
}

async function benchStream(client: Client<typeof MinIODBService>, rows: number) {
  const templates = streamMessages(200); // cycled: ids repeat every 200,000 rows (event data)
  const latencies = new Latencies();
  const started = performance.now();
  async function* messages() {
    for (let sent = 0; sent < rows; sent += 1000) yield templates[(sent / 1000) % templates.length]!;
  }
  const response = await client.streamWrite(messages());
  const seconds = (performance.now() - started) / 1000;
  latencies.add(seconds * 1000);
  return { rows: Number(response.recordsCount), seconds, errors: response.errors.length };
}

async function benchRest(restUrl: string, rows: number) {
  const bodies = Array.from({ length: 20 }, (_, b) =>
    Array.from({ length: 5000 }, (_, j) => {
      const i = b * 5000 + j;
      return JSON.stringify({
        id: `r-${i}`,
        timestamp: new Date(BASE_MS + i * 10).toISOString(),
        payload: payload(i),
      });
    }).join("\n"),
  );
  const latencies = new Latencies();
  let next = 0;
  let written = 0;
  const started = performance.now();
  const client = async () => {
    while (next < rows) {
      const body = bodies[(next / 5000) % bodies.length]!;
      next += 5000;
      const t0 = performance.now();
      const response = await fetch(`${restUrl}/v1/data/batch?table=bench_rest`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body,
      });
      const result = (await response.json()) as { records_count: number };
      latencies.add(performance.now() - t0);
      written += result.records_count;
    }
  };
  await Promise.all(Array.from({ length: 4 }, client));
  return { rows: written, seconds: (performance.now() - started) / 1000, latencies };
}

async function benchUnary(client: Client<typeof MinIODBService>, seconds: number) {
  const latencies = new Latencies();
  const deadline = performance.now() + seconds * 1000;
  let counter = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = counter++;
      const t0 = performance.now();
      await client.writeData({
        table: "bench_unary",
        data: { id: `u-${i}`, timestamp: timestampFromMs(BASE_MS + i), payload: payload(i) },
      });
      latencies.add(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 16 }, worker));
  return { requests: latencies.count, seconds: (performance.now() - started) / 1000, latencies };
}

const dataDir = mkdtempSync(join(tmpdir(), "miniodb-bench-"));
const node = await startNode({ MINIODB_NODE__DATA_DIR: dataDir });
try {
  const client = createClient(
    MinIODBService,
    createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }),
  );
  const stream = await benchStream(client, Number(values.rows));
  console.log(
    `StreamWrite: ${stream.rows} rows in ${stream.seconds.toFixed(1)} s = ${Math.round(stream.rows / stream.seconds)} rows/s (errors: ${stream.errors}); peak RSS ${peakRssMiB(node.child.pid!)} MiB`,
  );
  const rest = await benchRest(`http://127.0.0.1:${node.ports.rest}`, Number(values["rest-rows"]));
  console.log(
    `REST batch (NDJSON, 5,000/request, 4 clients): ${rest.rows} rows in ${rest.seconds.toFixed(1)} s = ${Math.round(rest.rows / rest.seconds)} rows/s; ack p50 ${rest.latencies.percentile(50).toFixed(1)} ms, p99 ${rest.latencies.percentile(99).toFixed(1)} ms`,
  );
  const unary = await benchUnary(client, Number(values["unary-seconds"]));
  console.log(
    `Unary WriteData (gRPC, 16 clients): ${unary.requests} requests in ${unary.seconds.toFixed(1)} s = ${Math.round(unary.requests / unary.seconds)} req/s; ack p50 ${unary.latencies.percentile(50).toFixed(2)} ms, p99 ${unary.latencies.percentile(99).toFixed(2)} ms`,
  );
  console.log(`node peak RSS: ${peakRssMiB(node.child.pid!)} MiB`);
} finally {
  await node.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
