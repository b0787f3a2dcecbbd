import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { DataRecordSchema, MinIODBService, StreamWriteRequestSchema } from "@miniodb/proto";
import { DataRecordViewSchema, MinIODBWriteViewService } from "@miniodb/proto/views";
import { requestJson } from "./support/rest.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

interface TableInfoJson {
  table_info: {
    name: string;
    config: Record<string, unknown>;
    stats: { record_count: number; file_count: number; size_bytes: number; newest_record: string | null };
  };
}

describe("ingest and tables on one node", () => {
  let node: SpawnedNode;
  let rest: string;
  const client = () =>
    createClient(MinIODBService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }));
  before(async () => {
    node = await spawnNode([], {
      MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100",
      MINIODB_LIMITS__MAX_RECORD_BYTES: "2000",
    });
    rest = `http://127.0.0.1:${node.ports.rest}`;
  });
  after(() => node?.stop());

  it("runs the README's table and write examples", async () => {
    const created = await requestJson(`${rest}/v1/tables`, {
      body: {
        table_name: "users",
        config: { buffer_size: 1000, flush_interval_seconds: 30, retention_days: 365, backup_enabled: true },
      },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body["success"], true);
    const written = await requestJson(`${rest}/v1/data`, {
      body: {
        table: "users",
        data: {
          id: "user-123",
          timestamp: "2024-01-01T10:00:00Z",
          payload: { name: "John Doe", age: 30, score: 95.5 },
        },
      },
    });
    assert.equal(written.status, 200, JSON.stringify(written.body));
    const flat = await requestJson(`${rest}/v1/data`, {
      body: {
        table: "users",
        id: "user-124",
        timestamp: "2024-01-02T10:00:00Z",
        payload: { name: "Jane", age: 25 },
      },
    });
    assert.equal(flat.status, 200, JSON.stringify(flat.body));
    const listed = await requestJson<{ tables: Array<{ name: string }>; total: number }>(
      `${rest}/v1/tables?pattern=user*`,
    );
    assert.deepEqual(
      listed.body.tables.map((table) => table.name),
      ["users"],
    );
    assert.equal(listed.body.total, 1);
    const info = await requestJson<TableInfoJson>(`${rest}/v1/tables/users`);
    assert.equal(info.body.table_info.stats.record_count, 2);
    // Buffered rows count for oldest/newest too, before any flush.
    assert.equal(info.body.table_info.stats.newest_record, "2024-01-02T10:00:00.000Z");
    assert.equal(info.body.table_info.config["buffer_size"], 1000);
    assert.equal(info.body.table_info.config["retention_days"], 365);
    assert.equal(info.body.table_info.config["backup_enabled"], true);
  });

  it("writes over gRPC, auto-creating the default table", async () => {
    const response = await client().writeData({ data: { id: "g1", payload: { v: 1 } } });
    assert.equal(response.success, true);
    assert.ok(response.nodeId.length > 0);
    const table = await client().getTable({ tableName: "default" });
    assert.equal(table.tableInfo?.stats?.recordCount, 1n);
  });

  it("streams batches, writing valid records and listing invalid ones by index", async () => {
    await client().createTable({ tableName: "events", config: { bufferSize: 50, flushIntervalSeconds: 1 } });
    async function* messages() {
      for (let batch = 0; batch < 4; batch++) {
        const records = Array.from({ length: 100 }, (_, i) =>
          create(DataRecordSchema, {
            id: batch === 2 && i === 7 ? "bad id" : `e-${batch}-${i}`,
            timestamp: timestampFromDate(new Date(Date.UTC(2026, 0, 1 + batch))),
            payload: { batch, i, tag: `t${i % 3}` },
          }),
        );
        yield create(StreamWriteRequestSchema, { table: "events", records });
      }
    }
    const response = await client().streamWrite(messages());
    assert.equal(response.recordsCount, 399n);
    assert.equal(response.success, false);
    assert.deepEqual(response.errors.length, 1);
    assert.match(response.errors[0]!, /^record 207: invalid id "bad id"/);
    // Flushed by size (buffer_size 50) and by age (1 s): every row ends up in Parquet files.
    let stats = (await client().getTable({ tableName: "events" })).tableInfo!.stats!;
    for (let attempt = 0; attempt < 50 && stats.fileCount < 4n; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stats = (await client().getTable({ tableName: "events" })).tableInfo!.stats!;
    }
    assert.equal(stats.recordCount, 399n);
    assert.ok(stats.fileCount >= 4n, `one file per day partition at least, got ${stats.fileCount}`);
    assert.ok(stats.sizeBytes > 0n);
  });

  it("reports a record whose payload bytes are not a valid Struct by index, writing the others", async () => {
    // A client of the view messages can send any payload bytes: here a Struct cut short, and
    // one holding invalid UTF-8. Both fail only their own record.
    const valid = create(DataRecordSchema, { id: "v", payload: { n: 1, s: "ok" } });
    const viewClient = createClient(
      MinIODBWriteViewService,
      createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }),
    );
    const record = (id: string, payload: Uint8Array) =>
      toBinary(DataRecordViewSchema, create(DataRecordViewSchema, { id, payload }));
    const good = (id: string) =>
      record(id, new Uint8Array([0x0a, 0x07, 0x0a, 0x01, 0x6e, 0x12, 0x02, 0x20, 0x01]));
    async function* messages() {
      yield {
        table: "views",
        records: [good("w0"), record("w1", new Uint8Array([0x0a, 0x09, 0x0a])), good("w2")],
      };
      yield {
        table: "views",
        records: [record("w3", new Uint8Array([0x0a, 0x05, 0x0a, 0x03, 0xed, 0xa0, 0x80])), good("w4")],
      };
    }
    const response = await viewClient.streamWrite(messages());
    assert.equal(response.recordsCount, 3n);
    assert.equal(response.errors.length, 2);
    response.errors.sort(); // messages are written concurrently: errors come in completion order
    assert.match(response.errors[0]!, /^record 1: payload is not a valid google\.protobuf\.Struct/);
    assert.match(response.errors[1]!, /^record 3: payload is not a valid google\.protobuf\.Struct: .*UTF-8/);
    // Record bytes that are not a DataRecord fail the stream with invalid_argument, and write nothing.
    async function* broken() {
      yield { table: "views", records: [good("w5"), new Uint8Array([0x0a, 0x05, 0x61])] };
    }
    await assert.rejects(viewClient.streamWrite(broken()), (error: unknown) => {
      const failure = ConnectError.from(error);
      assert.equal(failure.code, Code.InvalidArgument);
      assert.match(failure.rawMessage, /not a valid miniodb\.v1\.DataRecord/);
      return true;
    });
    // The same paths still take the public messages as Connect JSON.
    const json = createClient(
      MinIODBService,
      createConnectTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}`, httpVersion: "1.1" }),
    );
    await json.writeData({ table: "views", data: valid });
    const table = await client().getTable({ tableName: "views" });
    assert.equal(table.tableInfo?.stats?.recordCount, 4n);
  });

  it("ingests NDJSON and JSON-array batches over REST", async () => {
    const ndjson = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `n${i}`, payload: { i } })).join(
      "\n",
    );
    const first = await requestJson(`${rest}/v1/data/batch?table=bulk`, {
      rawBody: `${ndjson}\nnot json\n`,
      contentType: "application/x-ndjson",
    });
    assert.equal(first.status, 200);
    assert.equal(first.body["records_count"], 50);
    assert.deepEqual(first.body["errors"], ["record 50: the line is not valid JSON"]);
    const second = await requestJson(`${rest}/v1/data/batch`, {
      body: { table: "bulk", records: [{ id: "a1", payload: { i: 1 } }] },
    });
    assert.equal(second.body["records_count"], 1);
    const info = await requestJson<TableInfoJson>(`${rest}/v1/tables/bulk`);
    assert.equal(info.body.table_info.stats.record_count, 51);
  });

  it("answers bad input with the right status and writes nothing", async () => {
    const before = (await requestJson<TableInfoJson>(`${rest}/v1/tables/users`)).body.table_info.stats
      .record_count;
    const cases: Array<[string, { body?: unknown; rawBody?: string; method?: string }, number, RegExp]> = [
      ["/v1/data", { rawBody: "{not json" }, 400, /not valid JSON/],
      ["/v1/data", { body: { table: "users", data: { id: "x1" } } }, 400, /payload must be a JSON object/],
      [
        "/v1/data",
        { body: { table: "users", data: { id: "x1", payload: [1, 2] } } },
        400,
        /invalid request|payload/,
      ],
      ["/v1/data", { body: { table: "1users", data: { id: "x1", payload: {} } } }, 400, /invalid table name/],
      ["/v1/data", { body: { table: "users", data: { id: "../x", payload: {} } } }, 400, /invalid id/],
      [
        "/v1/data",
        { body: { table: "users", data: { id: "x1", timestamp: "yesterday", payload: {} } } },
        400,
        /invalid request/,
      ],
      [
        "/v1/data",
        { body: { table: "users", data: { id: "x1", payload: { id: 5 } } } },
        400,
        /record column/,
      ],
      [
        "/v1/data",
        { body: { table: "users", data: { id: "x1", payload: { blob: "x".repeat(5000) } } } },
        413,
        /limit/,
      ],
      [
        // 711 characters of JSON, but 2,111 bytes of UTF-8 ("€" takes three): over the 2,000-byte limit.
        "/v1/data",
        { body: { table: "users", data: { id: "x1", payload: { blob: "€".repeat(700) } } } },
        413,
        /bytes of JSON/,
      ],
      ["/v1/data/batch?table=users", { body: [] }, 400, /no records/],
      ["/v1/tables", { body: { table_name: "users" } }, 409, /exists/],
      ["/v1/tables", { body: { table_name: "t", config: { buffer_size: -1 } } }, 400, /buffer_size/],
      ["/v1/tables/nothing", { method: "GET" }, 404, /does not exist/],
      ["/v1/tables/users", { method: "DELETE" }, 412, /cascade/],
    ];
    for (const [path, init, status, message] of cases) {
      const response = await requestJson<{ error?: { message: string }; errors?: string[] }>(
        `${rest}${path}`,
        init,
      );
      assert.equal(
        response.status,
        status,
        `${path} ${JSON.stringify(init).slice(0, 80)}: ${JSON.stringify(response.body)}`,
      );
      assert.match(response.body.error?.message ?? response.body.errors?.join(" ") ?? "", message, path);
    }
    await assert.rejects(
      client().createTable({ tableName: "users" }),
      (error: unknown) => ConnectError.from(error).code === Code.AlreadyExists,
    );
    await assert.rejects(
      client().writeData({ table: "users", data: { id: "x1" } }),
      (error: unknown) => ConnectError.from(error).code === Code.InvalidArgument,
    );
    const after = (await requestJson<TableInfoJson>(`${rest}/v1/tables/users`)).body.table_info.stats
      .record_count;
    assert.equal(after, before);
  });

  it("deletes tables with cascade and honours if_exists", async () => {
    const deleted = await requestJson(`${rest}/v1/tables/events?cascade=true`, { method: "DELETE" });
    assert.equal(deleted.status, 200);
    assert.ok((deleted.body["files_deleted"] as number) >= 4);
    assert.equal((await requestJson(`${rest}/v1/tables/events`)).status, 404);
    const again = await requestJson(`${rest}/v1/tables/events?if_exists=true`, { method: "DELETE" });
    assert.equal(again.status, 200);
    assert.equal(again.body["files_deleted"], 0);
  });
});

describe("idempotent retries", () => {
  it("applies a keyed write once, across protocols and a kill -9, and returns the first result", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "miniodb-idem-"));
    const env = { MINIODB_NODE__DATA_DIR: dataDir };
    let node = await spawnNode([], env);
    const rest = () => `http://127.0.0.1:${node.ports.rest}`;
    const send = (key: string, id = "") =>
      fetch(`${rest()}/v1/data`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify({ table: "idem", data: { ...(id ? { id } : {}), payload: { n: 1 } } }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { id: string },
      }));
    const first = await send("key-1");
    const concurrent = await Promise.all([send("key-1"), send("key-1"), send("key-2")]);
    assert.equal(first.status, 200);
    assert.equal(
      concurrent[0]!.body.id,
      first.body.id,
      "a retry returns the first result, generated id included",
    );
    assert.equal(concurrent[1]!.body.id, first.body.id);
    assert.notEqual(concurrent[2]!.body.id, first.body.id);

    const grpc = () =>
      createClient(MinIODBService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }));
    const headers = { "idempotency-key": "key-3" };
    await grpc().writeData({ table: "idem", data: { id: "g1", payload: { n: 2 } } }, { headers });
    await grpc().writeData({ table: "idem", data: { id: "g1", payload: { n: 2 } } }, { headers });
    const count = async () =>
      (await requestJson<TableInfoJson>(`${rest()}/v1/tables/idem`)).body.table_info.stats.record_count;
    assert.equal(await count(), 3);

    const beforeCrash = await send("key-4");
    await node.stop("SIGKILL");
    node = await spawnNode([], env);
    const retried = await send("key-4");
    assert.equal(retried.body.id, beforeCrash.body.id);
    assert.equal(await count(), 4);
    const bad = await send("k".repeat(300));
    assert.equal(bad.status, 400);
    await node.stop();
  });
});
