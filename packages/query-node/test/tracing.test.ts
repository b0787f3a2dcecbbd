import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { pino } from "pino";
import { MinIODBService } from "@miniodb/proto";
import { loadConfig } from "../src/config/load-config.js";
import { resolveNodeIdentity } from "../src/config/node-identity.js";
import { startAllInOne, type RunningNode } from "../src/start-all-in-one.js";
import { requestJson } from "./support/rest.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN_ID = "00f067aa0ba902b7";

describe("traces of an all-in-one node (in-memory exporter)", () => {
  const exporter = new InMemorySpanExporter();
  let node: RunningNode;
  const rest = () => `http://127.0.0.1:${node.ports.rest}`;
  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((span) => span.name === name);
  const childrenOf = (parent: ReadableSpan) =>
    spans().filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);

  async function until<T>(find: () => T | undefined, what: string): Promise<T> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const found = find();
      if (found !== undefined) return found;
      await sleep(50);
    }
    throw new Error(
      `no ${what} among ${spans()
        .map((span) => span.name)
        .join(", ")}`,
    );
  }

  before(async () => {
    const config = resolveNodeIdentity(
      loadConfig({
        env: {
          MINIODB_NODE__DATA_DIR: mkdtempSync(join(tmpdir(), "miniodb-tracing-")),
          MINIODB_NODE__ID: "tracing-node",
          MINIODB_SERVER__HOST: "127.0.0.1",
          MINIODB_SERVER__GRPC_PORT: "0",
          MINIODB_SERVER__REST_PORT: "0",
        },
      }),
    );
    node = await startAllInOne(config, pino({ level: "silent" }), { spanExporter: exporter });
    const created = await requestJson(`${rest()}/v1/tables`, {
      body: { table_name: "events", config: { buffer_size: 3, flush_interval_seconds: 3600 } },
    });
    assert.equal(created.status, 201);
  });

  after(async () => {
    await node?.close();
  });

  it("a REST write is a server span with table, rows and bytes, parent of its WAL append", async () => {
    exporter.reset();
    const response = await fetch(`${rest()}/v1/data/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
      body: JSON.stringify({
        table: "events",
        records: [1, 2, 3].map((i) => ({ id: `e-${i}`, payload: { i } })),
      }),
    });
    assert.equal(response.status, 200);
    const request = await until(() => named("POST write")[0], "write span");
    assert.equal(request.kind, SpanKind.SERVER);
    // The caller's traceparent makes the request span part of the caller's trace.
    assert.equal(request.spanContext().traceId, TRACE_ID);
    assert.equal(request.parentSpanContext?.spanId, CALLER_SPAN_ID);
    assert.equal(request.attributes["miniodb.table"], "events");
    assert.equal(request.attributes["miniodb.rows"], 3);
    assert.ok(Number(request.attributes["miniodb.bytes"]) > 0);
    assert.equal(request.attributes["http.response.status_code"], 200);
    const [append] = childrenOf(request).filter((span) => span.name === "wal.append");
    assert.ok(append, "wal.append is a child of the request span");
    assert.equal(append.attributes["miniodb.rows"], 3);
    assert.equal(append.spanContext().traceId, TRACE_ID);
    // Three rows fill the buffer: the flush the write triggers is a trace of its own, with its upload.
    const flush = await until(() => named("flush")[0], "flush span");
    assert.equal(flush.parentSpanContext, undefined);
    assert.notEqual(flush.spanContext().traceId, TRACE_ID);
    assert.equal(flush.attributes["miniodb.rows"], 3);
    const puts = childrenOf(flush).filter((span) => span.name === "object.put");
    assert.equal(puts.length, 1);
    assert.ok(Number(puts[0]!.attributes["miniodb.bytes"]) > 0);
  });

  it("a gRPC write on the unary lane gets its span too", async () => {
    exporter.reset();
    const client = createClient(
      MinIODBService,
      createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }),
    );
    await client.writeData({ table: "events", data: { id: "g-1", payload: { i: 9 } } });
    const request = await until(() => named("miniodb.v1.MinIODBService/WriteData")[0], "WriteData span");
    assert.equal(request.attributes["rpc.system"], "grpc");
    assert.equal(request.attributes["miniodb.rows"], 1);
    assert.equal(request.attributes["miniodb.table"], "events");
    assert.ok(childrenOf(request).some((span) => span.name === "wal.append"));
  });

  it("a query's span holds its preparation (with object fetches) and its execution", async () => {
    exporter.reset();
    const answer = await requestJson<{ result_json: string }>(`${rest()}/v1/query`, {
      body: { sql: "SELECT count(*) AS n FROM events" },
    });
    assert.equal(answer.status, 200);
    assert.match(answer.body.result_json, /"n":\s*4/);
    const request = await until(() => named("POST query")[0], "query span");
    assert.equal(request.attributes["miniodb.table"], "events");
    assert.equal(request.attributes["miniodb.files_scanned"], 1);
    const children = childrenOf(request).map((span) => span.name);
    assert.ok(children.includes("query.prepare"), children.join());
    assert.ok(children.includes("query.execute"), children.join());
    const prepare = childrenOf(request).find((span) => span.name === "query.prepare")!;
    const gets = childrenOf(prepare).filter((span) => span.name === "object.get");
    assert.equal(gets.length, 1, "the flushed file is fetched once, inside the query's preparation");
    const ids = new Set(spans().map((span) => span.spanContext().traceId));
    assert.equal(ids.size, 1, "one trace");
  });

  it("scrapes and health probes are not traced", async () => {
    exporter.reset();
    await fetch(`${rest()}/metrics`).then((response) => response.text());
    await fetch(`${rest()}/v1/health`).then((response) => response.text());
    await requestJson(`${rest()}/v1/tables`);
    await until(() => named("GET list_tables")[0], "list_tables span");
    assert.deepEqual(
      spans().map((span) => span.name),
      ["GET list_tables"],
    );
  });
});
