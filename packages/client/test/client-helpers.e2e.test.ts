import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { createMiniodbClient, type MiniodbClient, type RecordInput } from "../src/index.js";
import { spawnNode, type NodeProcess } from "./support/spawn-node.js";

/** Counts the unary calls per RPC and the records of each StreamWrite message the client sends. */
function recordingInterceptor(calls: Map<string, number>, streamBatches: number[]): Interceptor {
  return (next) => async (request) => {
    calls.set(request.method.name, (calls.get(request.method.name) ?? 0) + 1);
    if (request.stream && request.method.name === "StreamWrite") {
      const messages = request.message;
      return next({
        ...request,
        message: (async function* () {
          for await (const message of messages) {
            streamBatches.push((message as unknown as { records: unknown[] }).records.length);
            yield message;
          }
        })(),
      });
    }
    return next(request);
  };
}

function* users(count: number): Generator<RecordInput> {
  for (let i = 0; i < count; i++) {
    yield {
      id: `u-${String(i).padStart(5, "0")}`,
      timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 60)),
      payload: { n: i, even: i % 2 === 0 },
    };
  }
}

describe("client helpers against a real node", () => {
  let node: NodeProcess;
  let client: MiniodbClient;
  const calls = new Map<string, number>();
  const streamBatches: number[] = [];

  before(async () => {
    node = await spawnNode();
    client = createMiniodbClient({
      baseUrl: node.baseUrl,
      interceptors: [recordingInterceptor(calls, streamBatches)],
    });
  });
  after(() => node?.stop());

  it("manages tables: create, list by pattern, get, delete", async () => {
    assert.equal(
      (await client.createTable("people", { bufferSize: 500, retentionDays: 3_650 })).success,
      true,
    );
    await client.createTable("people", {}, { ifNotExists: true });
    await assert.rejects(
      client.createTable("people"),
      (error: unknown) => ConnectError.from(error).code === Code.AlreadyExists,
    );
    await client.createTable("places");
    assert.deepEqual(
      (await client.listTables("peo*")).map((table) => table.name),
      ["people"],
    );
    const people = await client.getTable("people");
    assert.equal(people.config?.bufferSize, 500);
    assert.equal(people.config?.retentionDays, 3_650);
    assert.equal((await client.deleteTable("places")).success, true);
    await client.deleteTable("places", { ifExists: true });
    await assert.rejects(
      client.getTable("places"),
      (error: unknown) => ConnectError.from(error).code === Code.NotFound,
    );
  });

  it("writes one record, then many in batches of batchSize over one stream", async () => {
    const one = await client.writeRecord("people", { id: "solo", payload: { n: -1, even: false } });
    assert.equal(one.success, true);
    const result = await client.writeRecords("people", users(2_500), { batchSize: 1_000 });
    assert.deepEqual(result, { recordsCount: 2_500, errors: [] });
    assert.deepEqual(streamBatches, [1_000, 1_000, 500]);
    assert.equal(calls.get("StreamWrite"), 1);
  });

  it("reports invalid records by index and writes the valid ones, from an async source", async () => {
    async function* mixed(): AsyncGenerator<RecordInput> {
      yield { id: "ok-1", payload: { n: 1 } };
      yield { id: "bad id!", payload: { n: 2 } };
      yield { id: "ok-2", payload: { n: 3 } };
    }
    const result = await client.writeRecords("mixed", mixed(), { batchSize: 2 });
    assert.equal(result.recordsCount, 2);
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0]!, /^record 1: .*bad id!/);
  });

  it("queries every row by following cursors, one page per pageSize rows", async () => {
    calls.delete("QueryData");
    const rows = [];
    for await (const row of client.query("SELECT id, n FROM people WHERE n >= 0 ORDER BY n", {
      pageSize: 1_000,
    })) {
      rows.push(row);
    }
    assert.equal(rows.length, 2_500);
    assert.deepEqual(rows[0], { id: "u-00000", n: 0 });
    assert.deepEqual(rows[2_499], { id: "u-02499", n: 2_499 });
    assert.equal(new Set(rows.map((row) => row["id"])).size, 2_500);
    assert.equal(calls.get("QueryData"), 3);
  });

  it("stops paging when the caller stops reading", async () => {
    calls.delete("QueryData");
    let seen = 0;
    for await (const row of client.query("SELECT id FROM people", { pageSize: 100 })) {
      assert.ok(row["id"]);
      if (++seen === 150) break;
    }
    assert.equal(calls.get("QueryData"), 2);
  });

  it("streams every row as records with ids, timestamps and payloads", async () => {
    const records = [];
    for await (const record of client.streamQuery("SELECT * FROM people WHERE n >= 0", { batchSize: 700 })) {
      records.push(record);
    }
    assert.equal(records.length, 2_500);
    const first = records.find((record) => record.id === "u-00061")!;
    assert.deepEqual(first.timestamp, new Date("2024-01-01T00:00:01Z"));
    assert.deepEqual(first.payload, { n: 61, even: false });
  });

  it("passes server errors through with their code", async () => {
    const rows = client.query("SELECT * FROM no_such_table");
    await assert.rejects(
      rows.next(),
      (error: unknown) => ConnectError.from(error).code === Code.InvalidArgument,
    );
    await assert.rejects(
      client.writeRecords("people", users(1), { batchSize: 0 }),
      /batchSize must be a positive integer/,
    );
  });
});
