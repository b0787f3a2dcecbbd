import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DuckDbEngine } from "@miniodb/executor";
import { redisTestSkip, startRedisServer, type RedisServerProcess } from "@miniodb/metadata/testing";
import { S3rverProcess } from "@miniodb/storage/testing";
import { backendEnv } from "./support/backend-env.js";
import { queryRows, referenceEngine, userRows, writeUsers, type UserRow } from "./support/query-fixtures.js";
import { sampleSum, scrape } from "./support/prometheus-scrape.js";
import { OtlpReceiver, type ReceivedSpan } from "./support/otlp-receiver.js";
import { requestJson } from "./support/rest.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";
import { workerStats } from "./support/worker-stats.js";

/** Queries whose answers must equal a plain DuckDB table holding the same rows. */
const SUITE = [
  "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages, min(score) AS lo, max(score) AS hi, round(avg(score), 6) AS mean FROM users",
  "SELECT city, count(*) AS n, round(sum(score), 6) AS total FROM users GROUP BY city ORDER BY city",
  "SELECT id, age, score FROM users ORDER BY score DESC, id LIMIT 7",
  "SELECT id, name FROM users WHERE active AND age > 40 ORDER BY id LIMIT 5 OFFSET 3",
  "SELECT count(*) AS n FROM users WHERE id IN ('u-1', 'u-777', 'u-2999', 'u-99999')",
  "SELECT city, count(DISTINCT age) AS ages, min(name) AS first FROM users WHERE score > 10 GROUP BY city HAVING count(*) > 5 ORDER BY ages DESC, city LIMIT 3",
  "SELECT city, median(age) AS mid FROM users GROUP BY city ORDER BY city",
  "SELECT id, rank() OVER (PARTITION BY city ORDER BY score DESC, id) AS r FROM users ORDER BY r, id LIMIT 5",
];

/**
 * A cluster of separate processes on real Redis and two S3 servers: one query node and two
 * workers, then a third worker joining and one leaving while clients write. Every answer must be
 * exactly what one node holding the same rows gives.
 */
describe(
  "a cluster of one query node and worker nodes",
  { skip: redisTestSkip(Boolean(process.env["CI"])) },
  () => {
    let redis: RedisServerProcess;
    let primary: S3rverProcess;
    let backup: S3rverProcess;
    let reference: DuckDbEngine;
    const nodes: SpawnedNode[] = [];
    const workers = new Map<string, SpawnedNode>();
    const scratch = realpathSync(mkdtempSync(join(tmpdir(), "miniodb-cluster-")));
    let query: SpawnedNode;
    let traces: OtlpReceiver;
    const rest = () => `http://127.0.0.1:${query.ports.rest}`;
    const env = () => ({
      ...backendEnv({ primary, backup, redisPort: redis.port }),
      MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100",
      MINIODB_CLUSTER__HEARTBEAT_INTERVAL_MS: "200",
      MINIODB_CLUSTER__HEARTBEAT_TTL_MS: "3000",
      MINIODB_CLUSTER__MEMBERSHIP_POLL_MS: "200",
      MINIODB_OBSERVABILITY__TRACING__EXPORTER: "otlp",
      MINIODB_OBSERVABILITY__TRACING__OTLP__ENDPOINT: traces.url,
      MINIODB_OBSERVABILITY__TRACING__EXPORT_INTERVAL_MS: "100",
    });
    const startWorker = async (id: string) => {
      // A restarted worker keeps its data directory (its WAL) and its id.
      const node = await spawnNode(["--role", "worker", "--node-id", id, "--cluster-port", "0"], {
        ...env(),
        MINIODB_NODE__DATA_DIR: join(scratch, id),
      });
      nodes.push(node);
      workers.set(id, node);
      return node;
    };
    const answers = async (sql: string) => (await queryRows(rest(), sql)).rows;
    const expected = async (sql: string) => await reference.query(sql);

    before(async () => {
      [redis, primary, backup, traces] = await Promise.all([
        startRedisServer(),
        S3rverProcess.start(),
        S3rverProcess.start(),
        OtlpReceiver.start(),
      ]);
      await Promise.all([startWorker("w1"), startWorker("w2")]);
      query = await spawnNode(["--role", "query", "--node-id", "q1"], env());
      nodes.push(query);
    });
    after(async () => {
      await Promise.all(nodes.map((node) => node.stop("SIGKILL")));
      await Promise.all([redis?.stop(), primary?.dispose(), backup?.dispose(), traces?.stop()]);
      reference?.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    it("routes writes to both workers and answers like a single node, buffered and flushed rows alike", async () => {
      const listening = query.listening;
      assert.deepEqual(listening["workers"], ["w1", "w2"]);
      await requestJson(`${rest()}/v1/tables`, {
        body: { table_name: "users", config: { buffer_size: 1_000 } },
      });
      const rows = userRows(3_000);
      await writeUsers(rest(), "users", rows);
      reference = await referenceEngine(scratch, rows);
      for (const sql of SUITE) assert.deepEqual(await answers(sql), await expected(sql), sql);
      const files = dataFileNodes(primary);
      assert.ok(files.has("w1") && files.has("w2"), `both workers flushed files: ${[...files].join(", ")}`);
    });

    it("splits a scan between the workers: every row read once, by one of them", async () => {
      const scanned = async () =>
        Promise.all(["w1", "w2"].map(async (id) => (await workerStats(workers.get(id)!)).rowsScanned));
      const before = await scanned();
      assert.deepEqual(await answers("SELECT count(*) AS n FROM users"), [{ n: 3_000 }]);
      const after = await scanned();
      const deltas = after.map((value, index) => value - before[index]!);
      assert.equal(deltas[0]! + deltas[1]!, 3_000, `rows scanned per worker: ${deltas.join(", ")}`);
      assert.ok(
        deltas.every((delta) => delta > 0),
        `both workers scanned: ${deltas.join(", ")}`,
      );
    });

    it("traces a write from the query node into the worker that takes it (W3C traceparent)", async () => {
      const traceId = "0af7651916cd43dd8448eb211c80319c";
      await requestJson(`${rest()}/v1/tables`, { body: { table_name: "traced" } });
      const response = await fetch(`${rest()}/v1/data`, {
        method: "POST",
        headers: { "content-type": "application/json", traceparent: `00-${traceId}-b7ad6b7169203331-01` },
        body: JSON.stringify({ table: "traced", data: { id: "traced-1", payload: { name: "t" } } }),
      });
      assert.equal(response.status, 200);
      const inTrace = (name: string, node?: string) =>
        traces.spans.find(
          (span) =>
            span.traceId === traceId && span.name === name && (node === undefined || span.node === node),
        );
      let request: ReceivedSpan | undefined;
      let call: ReceivedSpan | undefined;
      let served: ReceivedSpan | undefined;
      let append: ReceivedSpan | undefined;
      for (let attempt = 0; attempt < 150 && !append; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        request = inTrace("POST write", "q1");
        call = inTrace("miniodb.cluster.v1.WorkerService/WriteBatch", "q1");
        served = traces.spans.find(
          (span) => span.traceId === traceId && span.node !== "q1" && span.parentSpanId === call?.spanId,
        );
        append = traces.spans.find(
          (span) => span.name === "wal.append" && span.parentSpanId === served?.spanId,
        );
      }
      assert.ok(
        request && call && served && append,
        JSON.stringify(traces.spans.filter((s) => s.traceId === traceId)),
      );
      assert.equal(request.attributes["miniodb.table"], "traced");
      assert.equal(request.attributes["miniodb.rows"], 1);
      assert.equal(call.parentSpanId, request.spanId);
      assert.equal(call.attributes["miniodb.rows"], 1);
      assert.equal(served.name, "miniodb.cluster.v1.WorkerService/WriteBatch");
      assert.ok(["w1", "w2"].includes(served.node), served.node);
      assert.equal(served.attributes["miniodb.table"], "traced");
      assert.equal(append.node, served.node);
      assert.equal(append.attributes["miniodb.rows"], 1);
    });

    it("serves /metrics on the query node and on each worker's cluster port, and lists the nodes in /v1/status", async () => {
      await requestJson(`${rest()}/v1/tables`, {
        body: { table_name: "observed", config: { buffer_size: 100_000, flush_interval_seconds: 3600 } },
      });
      const written = await requestJson(`${rest()}/v1/data/batch`, {
        body: {
          table: "observed",
          records: Array.from({ length: 40 }, (_, i) => ({ id: `o-${i}`, payload: { i } })),
        },
      });
      assert.equal(written.status, 200, JSON.stringify(written.body));
      const queryMetrics = await scrape(`${rest()}/metrics`);
      assert.equal(
        sampleSum(queryMetrics, "miniodb_write_operations_total", { table: "observed", status: "success" }),
        40,
      );
      // Table totals on the query node include the rows still buffered on the workers.
      assert.equal(sampleSum(queryMetrics, "miniodb_table_record_count", { table: "observed" }), 40);
      let unflushedOnWorkers = 0;
      for (const id of ["w1", "w2"]) {
        const port = (workers.get(id)!.listening["ports"] as { cluster: number }).cluster;
        const metrics = await scrape(`http://127.0.0.1:${port}/metrics`);
        unflushedOnWorkers += sampleSum(metrics, "miniodb_table_unflushed_records", { table: "observed" });
        assert.ok(sampleSum(metrics, "miniodb_wal_fsync_duration_seconds") > 0, `${id} fsynced its WAL`);
        assert.ok(metrics.has("miniodb_system_health_score"), `${id} reports its health score`);
        assert.ok(!metrics.has("miniodb_table_record_count"), "table totals are the query nodes'");
        const health = await requestJson<{ status: string }>(`http://127.0.0.1:${port}/v1/health`);
        assert.equal(health.status, 200);
        assert.equal(health.body.status, "healthy");
      }
      assert.equal(unflushedOnWorkers, 40, "each row is buffered on exactly one worker");
      const status = await requestJson<{
        total_nodes: number;
        buffer_stats: Record<string, number>;
        nodes: Array<{
          id: string;
          role: string;
          state: string;
          address: string;
          shards_owned: number;
          buffered_rows: number;
          last_heartbeat: string;
        }>;
      }>(`${rest()}/v1/status`);
      assert.equal(status.status, 200);
      assert.deepEqual(
        status.body.nodes.map((node) => [node.id, node.role, node.state]),
        [
          ["q1", "query", "active"],
          ["w1", "worker", "active"],
          ["w2", "worker", "active"],
        ],
      );
      assert.equal(status.body.total_nodes, 3);
      const workerNodes = status.body.nodes.filter((node) => node.role === "worker");
      assert.ok(workerNodes.every((node) => node.shards_owned > 0));
      assert.equal(
        workerNodes.reduce((sum, node) => sum + node.shards_owned, 0),
        4096,
      );
      assert.equal(
        workerNodes.reduce((sum, node) => sum + node.buffered_rows, 0),
        status.body.buffer_stats["total_unflushed_records"],
      );
      assert.equal(status.body.buffer_stats["observed.unflushed_records"], 40);
      for (const node of status.body.nodes)
        assert.ok(Date.now() - Date.parse(node.last_heartbeat) < 10_000, `${node.id} heartbeat is recent`);
    });

    it("pages with cursors and streams exactly the ordered result", async () => {
      const sql = "SELECT id, score FROM users ORDER BY score, id";
      const all = await expected(sql);
      const paged: Array<Record<string, unknown>> = [];
      let page = await queryRows(rest(), sql, 1_000);
      paged.push(...page.rows);
      while (page.hasMore) {
        page = await queryRows(rest(), sql, 1_000, page.nextCursor);
        paged.push(...page.rows);
      }
      assert.deepEqual(paged, all);
    });

    it("updates and deletes records held by any worker", async () => {
      const update = await requestJson(`${rest()}/v1/data`, {
        method: "PUT",
        body: {
          table: "users",
          id: "u-5",
          payload: { name: "renamed", age: 99, score: 1, city: "lima", active: true },
        },
      });
      assert.equal(update.status, 200, JSON.stringify(update.body));
      const removed = await requestJson<{ deleted_count: number }>(`${rest()}/v1/data`, {
        method: "DELETE",
        body: { table: "users", ids: ["u-6", "u-7"] },
      });
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      assert.equal(removed.body.deleted_count, 2);
      assert.deepEqual(await answers("SELECT name, age FROM users WHERE id = 'u-5'"), [
        { name: "renamed", age: 99 },
      ]);
      assert.deepEqual(await answers("SELECT count(*) AS n FROM users WHERE id IN ('u-6', 'u-7')"), [
        { n: 0 },
      ]);
      // Written again after its delete, a record is visible again.
      await writeUsers(rest(), "users", userRows(1, 6));
      assert.deepEqual(await answers("SELECT count(*) AS n FROM users WHERE id = 'u-6'"), [{ n: 1 }]);
      await reference.query(
        "UPDATE users SET name = 'renamed', age = 99, score = 1, city = 'lima', active = true WHERE id = 'u-5'",
      );
      await reference.query("DELETE FROM users WHERE id = 'u-7'");
    });

    it("keeps every acknowledged row, once, while a worker joins and another leaves during writes", async () => {
      let next = 10_000;
      let writing = true;
      const acknowledged: UserRow[] = [];
      const writer = (async () => {
        while (writing) {
          const batch = userRows(200, next);
          next += 200;
          await writeUsers(rest(), "users", batch, 200);
          acknowledged.push(...batch);
        }
      })();
      try {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const joining = await startWorker("w3");
        const joined = joining.logs.find((line) => line["msg"] === "joined the cluster");
        assert.deepEqual(joined?.["flushed"], ["w1", "w2"], "the old owners flushed before w3 turned active");
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        assert.equal(await workers.get("w1")!.stop("SIGTERM"), 0, "w1 leaves gracefully");
        await new Promise((resolve) => setTimeout(resolve, 500));
      } finally {
        writing = false;
        await writer;
      }
      assert.ok(acknowledged.length >= 1_000, `${acknowledged.length} rows written during the changes`);
      const values = acknowledged.map((row) => `('${row.id}', ${row.payload.age}, ${row.payload.score})`);
      await reference.query(
        `CREATE TABLE extra AS SELECT * FROM (VALUES ${values.join(", ")}) AS t(id, age, score)`,
      );
      const sql =
        "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages, max(score) AS hi FROM users";
      const want = await expected(
        "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages, max(score) AS hi FROM (SELECT id, age, score FROM users UNION ALL SELECT id, age, score FROM extra)",
      );
      assert.deepEqual(await answers(sql), want);
      assert.equal(await workers.get("w3")!.stop("SIGTERM"), 0, "w3 leaves gracefully");
      assert.ok(
        dataFileNodes(primary).has("w3"),
        "the joining worker took writes and flushed them when it left",
      );
      assert.deepEqual(await answers(sql), want);
    });

    it("answers unavailable while a killed worker is registered, then without its unflushed rows, and with them once it restarts", async () => {
      // A table of its own, whose buffer never fills: the rows stay unflushed until the kill (the
      // users table's buffer may hold earlier rows, and reaching its buffer_size would flush).
      await requestJson(`${rest()}/v1/tables`, {
        body: { table_name: "unflushed", config: { buffer_size: 100_000, flush_interval_seconds: 3600 } },
      });
      await writeUsers(rest(), "users", userRows(200, 50_000));
      await writeUsers(rest(), "unflushed", userRows(500, 60_000));
      const total = "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM unflushed) AS n";
      const before = ((await answers(total)) as Array<{ n: number }>)[0]!.n;
      await workers.get("w2")!.stop("SIGKILL");
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 100; attempt++) {
        const response = await requestJson(`${rest()}/v1/query`, { body: { sql: total } });
        statuses.push(response.status);
        if (response.status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(statuses[0], 503, "a registered worker that does not answer fails the query");
      assert.equal(statuses.at(-1), 200, "answers again once the worker's registration lapsed");
      const hidden = ((await answers(total)) as Array<{ n: number }>)[0]!.n;
      assert.ok(hidden < before, `the dead worker's unflushed rows are invisible (${hidden} < ${before})`);
      const restarted = await startWorker("w2");
      assert.ok(restarted.logs.some((line) => line["msg"] === "flushed rows replayed from the WAL"));
      assert.deepEqual(
        await answers(total),
        [{ n: before }],
        "the restarted worker replayed and flushed its WAL",
      );
    });
  },
);

/** Node ids in the names of the data files on an S3 server (`<node>-<seq>.parquet`). */
function dataFileNodes(server: S3rverProcess): Set<string> {
  const nodes = new Set<string>();
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(directory, entry.name));
      const match = /^(w\d+)-.*\.parquet/.exec(entry.name);
      if (match) nodes.add(match[1]!);
    }
  };
  walk(server.directory);
  return nodes;
}
