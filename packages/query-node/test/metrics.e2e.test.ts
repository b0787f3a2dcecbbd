import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DataRecordSchema, MinIODBService, StreamWriteRequestSchema } from "@miniodb/proto";
import { requestJson } from "./support/rest.js";
import { sampleSum, scrape, vectorSelectors, type Scrape } from "./support/prometheus-scrape.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const referencePromql = JSON.parse(fixture("reference-promql.json")) as {
  grafana: string[];
  alerts: string[];
};
/** `name{label="value",...}` lines of the original's metric list. */
const referenceMetrics = fixture("reference-metrics.txt")
  .split("\n")
  .map((line) => line.replace(/#.*$/, "").trim())
  .filter((line) => line.startsWith("miniodb_"))
  .flatMap((line) => vectorSelectors(line));
/** Exported only once a metadata backup has run (backups are on-demand operations). */
const AFTER_FIRST_BACKUP = new Set(["miniodb_backup_size_bytes", "miniodb_backup_duration_seconds"]);

describe("GET /metrics after a scripted workload", () => {
  let node: SpawnedNode;
  let metrics: Scrape;
  const logDir = mkdtempSync(join(tmpdir(), "miniodb-logs-"));
  const logFile = join(logDir, "logs", "miniodb.log");
  const rest = () => `http://127.0.0.1:${node.ports.rest}`;
  const client = () =>
    createClient(MinIODBService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }));
  const record = (id: string, i: number) => ({ id, payload: { i, kind: `k${i % 3}` } });
  let streamedMessages = 0;
  let streamedRecords = 0;

  before(async () => {
    node = await spawnNode(["--node-id", "metrics-node"], {
      MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100",
      MINIODB_LOG__SLOW_QUERY_MS: "0",
      MINIODB_LOG__FILE: logFile,
    });
    await requestJson(`${rest()}/v1/tables`, {
      body: { table_name: "orders", config: { buffer_size: 50, flush_interval_seconds: 1 } },
    });
    // orders: 120 records by REST batch, one of them invalid; 60 more by StreamWrite.
    const batch = Array.from({ length: 120 }, (_, i) => record(i === 7 ? "bad id" : `o-${i}`, i));
    const written = await requestJson(`${rest()}/v1/data/batch`, {
      body: { table: "orders", records: batch },
    });
    assert.equal(written.body["records_count"], 119);
    async function* messages() {
      for (let m = 0; m < 2; m++)
        yield create(StreamWriteRequestSchema, {
          table: "orders",
          records: Array.from({ length: 30 }, (_, i) =>
            create(DataRecordSchema, {
              id: `s-${m}-${i}`,
              timestamp: timestampFromDate(new Date(Date.UTC(2026, 0, 1))),
              payload: { i },
            }),
          ),
        });
    }
    assert.equal((await client().streamWrite(messages())).recordsCount, 60n);
    // users: five good single writes and one refused.
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await requestJson(`${rest()}/v1/data`, { body: { table: "users", data: record(`u-${i}`, i) } }))
          .status,
        200,
      );
    const refused = await requestJson(`${rest()}/v1/data`, {
      body: { table: "users", data: record("bad id", 0) },
    });
    assert.equal(refused.status, 400);
    // events: an update and a delete.
    for (let i = 0; i < 3; i++)
      await requestJson(`${rest()}/v1/data`, { body: { table: "events", data: record(`e-${i}`, i) } });
    assert.equal(
      (
        await requestJson(`${rest()}/v1/data`, {
          method: "PUT",
          body: { table: "events", id: "e-0", payload: { i: 9 } },
        })
      ).status,
      200,
    );
    assert.equal(
      (await requestJson(`${rest()}/v1/data`, { method: "DELETE", body: { table: "events", id: "e-1" } }))
        .status,
      200,
    );
    // Wait until every orders row is in a data file, so queries read files through the cache.
    for (let attempt = 0; ; attempt++) {
      const info = await requestJson<{ table_info: { stats: { file_count: number; record_count: number } } }>(
        `${rest()}/v1/tables/orders`,
      );
      const { stats } = info.body.table_info;
      const unflushed = sampleSum(await scrape(`${rest()}/metrics`), "miniodb_table_unflushed_records", {
        table: "orders",
      });
      if (stats.file_count > 0 && unflushed === 0) break;
      assert.ok(attempt < 100, "orders flushed");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (let i = 0; i < 2; i++)
      await requestJson(`${rest()}/v1/query`, { body: { sql: "SELECT count(*) AS n FROM orders" } });
    for await (const message of client().streamQuery({ sql: "SELECT * FROM orders", batchSize: 50 })) {
      streamedMessages++;
      streamedRecords += message.records.length;
    }
    metrics = await scrape(`http://127.0.0.1:${node.ports.grpc}/metrics`);
  });
  after(async () => {
    await node?.stop();
  });

  it("counts every record written, per table and outcome", () => {
    assert.equal(
      sampleSum(metrics, "miniodb_write_operations_total", { table: "orders", status: "success" }),
      179,
    );
    assert.equal(
      sampleSum(metrics, "miniodb_write_operations_total", { table: "orders", status: "error" }),
      1,
    );
    assert.equal(
      sampleSum(metrics, "miniodb_write_operations_total", { table: "users", status: "success" }),
      5,
    );
    assert.equal(
      sampleSum(metrics, "miniodb_write_operations_total", { table: "users", status: "error" }),
      1,
    );
    assert.equal(
      sampleSum(metrics, "miniodb_stream_write_records_total", { table: "orders", status: "success" }),
      60,
    );
    assert.equal(
      sampleSum(metrics, "miniodb_requests_total", { method: "write", status: "error", table: "users" }),
      1,
    );
    assert.equal(
      sampleSum(metrics, "miniodb_requests_total", { method: "stream_write", status: "success" }),
      1,
    );
  });

  it("reports each table's records, files and bytes as its rows are", async () => {
    for (const [table, rows] of [
      ["orders", 179],
      ["users", 5],
    ] as const) {
      const counted = await requestJson<{ result_json: string }>(`${rest()}/v1/query`, {
        body: { sql: `SELECT count(*) AS n FROM ${table}` },
      });
      assert.deepEqual(JSON.parse(counted.body.result_json), [{ n: rows }]);
      assert.equal(sampleSum(metrics, "miniodb_table_record_count", { table }), rows, table);
    }
    const info = await requestJson<{ table_info: { stats: { file_count: number; size_bytes: number } } }>(
      `${rest()}/v1/tables/orders`,
    );
    const { stats } = info.body.table_info;
    assert.equal(sampleSum(metrics, "miniodb_table_file_count", { table: "orders" }), stats.file_count);
    assert.equal(sampleSum(metrics, "miniodb_storage_objects_total", { table: "orders" }), stats.file_count);
    assert.equal(sampleSum(metrics, "miniodb_table_size_bytes", { table: "orders" }), stats.size_bytes);
    assert.equal(sampleSum(metrics, "miniodb_table_unflushed_records", { table: "orders" }), 0);
    assert.equal(sampleSum(metrics, "miniodb_table_unflushed_records", { table: "users" }), 5);
    assert.ok(sampleSum(metrics, "miniodb_table_oldest_unflushed_age_seconds", { table: "users" }) > 0);
    assert.ok(sampleSum(metrics, "miniodb_flushed_records_total", { table: "orders" }) >= 179);
  });

  it("counts updates, deletes, queries, streamed batches and file cache use", () => {
    assert.equal(
      sampleSum(metrics, "miniodb_update_operations_total", { table: "events", status: "success" }),
      1,
    );
    assert.equal(
      sampleSum(metrics, "miniodb_delete_operations_total", { table: "events", status: "success" }),
      1,
    );
    assert.equal(
      sampleSum(metrics, "miniodb_query_operations_total", { table: "orders", status: "success" }),
      3,
    );
    assert.equal(streamedRecords, 179);
    assert.equal(
      sampleSum(metrics, "miniodb_stream_query_records_total", { table: "orders" }),
      streamedRecords,
    );
    assert.equal(
      sampleSum(metrics, "miniodb_stream_query_batches_total", { table: "orders", status: "success" }),
      streamedMessages,
    );
    const misses = sampleSum(metrics, "miniodb_cache_misses_total", { cache_type: "file", table: "orders" });
    const hits = sampleSum(metrics, "miniodb_cache_hits_total", { cache_type: "file", table: "orders" });
    assert.ok(misses >= 1, `misses ${misses}`);
    assert.ok(hits >= 2 * misses, `hits ${hits}: the second query and the stream read cached files`);
    const ratio = sampleSum(metrics, "miniodb_cache_hit_ratio", { cache_type: "file" });
    assert.ok(Math.abs(ratio - hits / (hits + misses)) < 1e-9);
    // Three queries read orders; the first fetched each file, the others found them cached.
    assert.equal(sampleSum(metrics, "miniodb_query_objects_fetched", { table: "orders" }), 3);
    assert.equal(sampleSum(metrics, "miniodb_query_objects_fetched", { table: "orders" }, "sum"), misses);
    assert.ok(sampleSum(metrics, "miniodb_wal_fsync_duration_seconds") >= 1);
    assert.ok(sampleSum(metrics, "miniodb_wal_size_bytes") > 0);
    // Every component up, no pressure, one refused request of the 16 data requests: 100 − 30 × 1/16.
    const score = sampleSum(metrics, "miniodb_system_health_score");
    assert.ok(Math.abs(score - (100 - 30 / 16)) <= 0.05, `health score ${score}`);
  });

  it("exports every metric of the original's list with its labels", () => {
    for (const { name, equals } of referenceMetrics) {
      if (AFTER_FIRST_BACKUP.has(name)) continue;
      const family = metrics.get(name);
      assert.ok(family, `${name} is exported`);
      const labelled = family.samples.some((sample) =>
        Object.keys(equals).every((label) => (sample.labels[label] ?? "") !== ""),
      );
      assert.ok(labelled, `${name} has labels ${Object.keys(equals).join(", ")}`);
    }
  });

  it("has every series the original's dashboard and alert expressions select", () => {
    for (const expression of [...referencePromql.grafana, ...referencePromql.alerts]) {
      for (const { name, equals } of vectorSelectors(expression)) {
        const family = metrics.get(name);
        assert.ok(family, `${expression}: ${name} is exported`);
        const matching = family.samples.filter((sample) =>
          Object.entries(equals).every(([label, value]) => sample.labels[label] === value),
        );
        assert.ok(matching.length > 0, `${expression}: a ${name} series matches ${JSON.stringify(equals)}`);
      }
    }
  });

  it("writes JSON log lines with request ids and the slow-query log to the configured file", () => {
    assert.ok(existsSync(logFile), logFile);
    const lines = readFileSync(logFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(lines.some((line) => line["msg"] === "listening"));
    const slow = lines.filter((line) => String(line["msg"]).startsWith("slow query: query duration"));
    assert.ok(slow.length >= 3, `${slow.length} slow-query lines`);
    assert.ok(slow.every((line) => typeof line["request_id"] === "string" && line["sql"] !== undefined));
  });
});
