import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { DuckDbEngine } from "@miniodb/executor";
import { MinIODBService } from "@miniodb/proto";
import { redisTestSkip, startRedisServer, type RedisServerProcess } from "@miniodb/metadata/testing";
import { S3rverProcess } from "@miniodb/storage/testing";
import { backendEnv } from "./support/backend-env.js";
import {
  queryRows,
  referenceEngine,
  userRows,
  waitForFiles,
  writeUsers,
  type UserRow,
} from "./support/query-fixtures.js";
import { sampleSum, scrape } from "./support/prometheus-scrape.js";
import { OtlpReceiver, type ReceivedSpan } from "./support/otlp-receiver.js";
import { requestJson } from "./support/rest.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";
import { workerStats } from "./support/worker-stats.js";

interface JobBody {
  job_id: string;
  job: { state: string; result: Record<string, number> };
}

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
    /** A second query node: clients may use either. */
    let query2: SpawnedNode;
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
    /** The table's unflushed rows summed over the workers' own metrics. */
    const bufferedOnWorkers = async (table: string) => {
      let rows = 0;
      for (const worker of workers.values()) {
        const port = (worker.listening["ports"] as { cluster: number }).cluster;
        const metrics = await scrape(`http://127.0.0.1:${port}/metrics`);
        rows += sampleSum(metrics, "miniodb_table_unflushed_records", { table });
      }
      return rows;
    };
    const fileCount = async (table: string) =>
      (await requestJson<{ table_info: { stats: { file_count: number } } }>(`${rest()}/v1/tables/${table}`))
        .body.table_info.stats.file_count;
    const expected = async (sql: string) => await reference.query(sql);
    const until = async (what: string, done: () => Promise<boolean>) => {
      for (let attempt = 0; attempt < 150; attempt++) {
        if (await done()) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.fail(`timed out waiting until ${what}`);
    };

    before(async () => {
      [redis, primary, backup, traces] = await Promise.all([
        startRedisServer(),
        S3rverProcess.start(),
        S3rverProcess.start(),
        OtlpReceiver.start(),
      ]);
      await Promise.all([startWorker("w1"), startWorker("w2")]);
      // q1 and q2 run lifecycle jobs only on demand; the lease test starts query nodes that schedule them.
      const queryNode = (id: string) =>
        spawnNode(["--role", "query", "--node-id", id], {
          ...env(),
          MINIODB_LIFECYCLE__INTERVAL_SECONDS: "0",
          MINIODB_LIFECYCLE__COMPACTION_MIN_SMALL_FILES: "2",
        });
      [query, query2] = await Promise.all([queryNode("q1"), queryNode("q2")]);
      nodes.push(query, query2);
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
          ["q2", "query", "active"],
          ["w1", "worker", "active"],
          ["w2", "worker", "active"],
        ],
      );
      assert.equal(status.body.total_nodes, 4);
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

    it("serves clients through either query node: written through one, read, streamed and paged through the other", async () => {
      const other = `http://127.0.0.1:${query2.ports.rest}`;
      // users was written through q1; q2 answers exactly the same, buffered and flushed rows alike.
      for (const sql of SUITE) assert.deepEqual((await queryRows(other, sql)).rows, await expected(sql), sql);
      const sql = "SELECT id, score FROM users ORDER BY score, id";
      const paged: Array<Record<string, unknown>> = [];
      let page = await queryRows(other, sql, 700);
      paged.push(...page.rows);
      while (page.hasMore) {
        page = await queryRows(other, sql, 700, page.nextCursor);
        paged.push(...page.rows);
      }
      assert.deepEqual(paged, await expected(sql));
      const streamed = new Set<string>();
      let records = 0;
      const client = (node: SpawnedNode) =>
        createClient(MinIODBService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }));
      for await (const message of client(query2).streamQuery({
        sql: "SELECT * FROM users",
        batchSize: 500,
      })) {
        records += message.records.length;
        for (const record of message.records) streamed.add(record.id);
      }
      assert.deepEqual(
        [{ n: records, ids: streamed.size }],
        await expected("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM users"),
      );
      // A cursor names the node that keeps its result: the other node says so, and answers no page.
      const first = await queryRows(rest(), sql, 700);
      const foreign = await requestJson<{
        error: { code: string; message: string; details: Record<string, unknown> };
      }>(`${other}/v1/query`, { body: { sql, limit: 700, cursor: first.nextCursor } });
      assert.equal(foreign.status, 412, JSON.stringify(foreign.body));
      assert.equal(foreign.body.error.code, "failed_precondition");
      assert.match(foreign.body.error.message, /belongs to another query node \("q1"/);
      assert.equal(foreign.body.error.details["node"], "q1");
      await assert.rejects(
        client(query2).queryData({ sql, limit: 700, cursor: first.nextCursor }),
        (error: unknown) =>
          error instanceof ConnectError &&
          error.code === Code.FailedPrecondition &&
          /belongs to another query node/.test(error.message),
      );
      // On its own node the cursor still gives the next page.
      assert.deepEqual((await queryRows(rest(), sql, 700, first.nextCursor)).rows, paged.slice(700, 1_400));
      // The other way round: a table made, written and mutated through q2 reads the same through q1.
      await requestJson(`${other}/v1/tables`, { body: { table_name: "paired" } });
      await writeUsers(other, "paired", userRows(300, 80_000));
      const removed = await requestJson(`${other}/v1/data`, {
        method: "DELETE",
        body: { table: "paired", ids: ["u-80001", "u-80002"] },
      });
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      const count = "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM paired";
      assert.deepEqual(await answers(count), [{ n: 298, ids: 298 }]);
      assert.deepEqual((await queryRows(other, count)).rows, [{ n: 298, ids: 298 }]);
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

    it("compacts on demand through the query node: small files of both workers merged, tombstones of buffered rows kept, every answer the same", async () => {
      await requestJson(`${rest()}/v1/tables`, {
        body: { table_name: "compacted", config: { buffer_size: 20, flush_interval_seconds: 3600 } },
      });
      // Each batch gives each worker about 50 rows, over its buffer_size: one small file per worker.
      for (let batch = 0; batch < 6; batch++) {
        await writeUsers(rest(), "compacted", userRows(100, batch * 100), 100);
        await waitForFiles(rest(), "compacted", 2 * (batch + 1));
      }
      // Stays in a worker's buffer (one row, a flush interval of an hour), then deleted.
      await writeUsers(rest(), "compacted", userRows(1, 5_000));
      const mutations = [
        { method: "DELETE", body: { table: "compacted", ids: ["u-5", "u-5000"] } },
        {
          method: "PUT",
          body: {
            table: "compacted",
            id: "u-1",
            payload: { name: "one", age: 1, score: 1, city: "lima", active: true },
          },
        },
      ];
      for (const { method, body } of mutations) {
        const response = await requestJson(`${rest()}/v1/data`, { method, body });
        assert.equal(response.status, 200, JSON.stringify(response.body));
      }
      const suite = [
        "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages, max(score) AS hi FROM compacted",
        "SELECT city, count(*) AS n, round(avg(score), 6) AS score FROM compacted GROUP BY city ORDER BY city",
        "SELECT id, name, age FROM compacted WHERE id IN ('u-1', 'u-5', 'u-77', 'u-5000') ORDER BY id",
      ];
      const before = await Promise.all(suite.map(answers));
      assert.equal(before[0]![0]!["n"], 599);
      const filesBefore = await fileCount("compacted");
      const compaction = await requestJson<JobBody>(`${rest()}/v1/compaction`, {
        body: { table: "compacted" },
      });
      assert.equal(compaction.status, 200, JSON.stringify(compaction.body));
      assert.equal(compaction.body.job.state, "succeeded");
      const result = compaction.body.job.result;
      assert.equal(result["files_before"], filesBefore);
      assert.ok(
        result["files_after"]! <= 4 && result["files_after"]! < filesBefore,
        `${filesBefore} files became ${result["files_after"]}`,
      );
      // u-5's and u-1's old versions are gone from the files; u-5000 is still buffered on a
      // worker, so its tombstone must stay or the row would come back.
      assert.equal(result["tombstones_retired"], 2);
      assert.equal(await fileCount("compacted"), result["files_after"]);
      assert.deepEqual(await Promise.all(suite.map(answers)), before);
      // GetJob over Connect on the gRPC port: the same job.
      const job = await requestJson<{ job: { kind: string; state: string; resultJson: string } }>(
        `http://127.0.0.1:${query.ports.grpc}/miniodb.v1.MinIODBService/GetJob`,
        { body: { jobId: compaction.body.job_id } },
      );
      assert.equal(job.status, 200, JSON.stringify(job.body));
      assert.deepEqual([job.body.job.kind, job.body.job.state], ["compaction", "succeeded"]);
      assert.equal(JSON.parse(job.body.job.resultJson).files_after, result["files_after"]);
    });

    it("hides rows older than retention_days at once and drops their files at the next compaction", async () => {
      await requestJson(`${rest()}/v1/tables`, {
        body: { table_name: "aging", config: { buffer_size: 1, retention_days: 30 } },
      });
      const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
      const records = [
        { id: "old-1", timestamp: at(100), payload: { v: 1 } },
        { id: "old-2", timestamp: at(40), payload: { v: 2 } },
        { id: "new-1", timestamp: at(1), payload: { v: 3 } },
        { id: "new-2", timestamp: at(0), payload: { v: 4 } },
      ];
      const written = await requestJson(`${rest()}/v1/data/batch`, { body: { table: "aging", records } });
      assert.equal(written.status, 200, JSON.stringify(written.body));
      const ids = async () => (await answers("SELECT id FROM aging ORDER BY id")).map((row) => row["id"]);
      assert.deepEqual(await ids(), ["new-1", "new-2"]);
      await waitForFiles(rest(), "aging", 4);
      assert.deepEqual(await ids(), ["new-1", "new-2"]);
      const run = await requestJson<JobBody>(`${rest()}/v1/compaction`, { body: { table: "aging" } });
      assert.equal(run.status, 200, JSON.stringify(run.body));
      assert.equal(run.body.job.result["expired_files_removed"], 2);
      assert.equal(run.body.job.result["expired_rows_removed"], 2);
      assert.equal(await fileCount("aging"), 2);
      assert.deepEqual(await ids(), ["new-1", "new-2"]);
    });

    it("takes a metadata backup through the query node and restores deleted records through the workers", async () => {
      const taken = await requestJson<{ success: boolean; backup_id: string }>(
        `${rest()}/v1/metadata/backup`,
        { body: { force: true } },
      );
      assert.equal(taken.status, 200, JSON.stringify(taken.body));
      assert.ok(taken.body.success);
      const listed = await requestJson<{ backups: Array<{ object_name: string }> }>(
        `${rest()}/v1/metadata/backups?days=1`,
      );
      assert.ok(listed.body.backups.some((backup) => backup.object_name === `${taken.body.backup_id}.json`));
      const status = await requestJson<{ backup_status: Record<string, string> }>(
        `${rest()}/v1/metadata/status`,
      );
      assert.equal(status.body.backup_status["backup.state"], "succeeded");
      const metrics = await scrape(`${rest()}/metrics`);
      assert.equal(sampleSum(metrics, "miniodb_backup_operations_total", { status: "success" }), 1);

      const bufferedBefore = await bufferedOnWorkers("compacted");
      const removed = await requestJson(`${rest()}/v1/data`, {
        method: "DELETE",
        body: { table: "compacted", ids: ["u-10", "u-11"] },
      });
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      const count = "SELECT count(*) AS n FROM compacted WHERE id IN ('u-10', 'u-11')";
      assert.deepEqual(await answers(count), [{ n: 0 }]);
      const restored = await requestJson<{ records_restored: number }>(`${rest()}/v1/restore/data`, {
        body: { table: "compacted", ids: ["u-10", "u-11"], backup_file: taken.body.backup_id },
      });
      assert.equal(restored.status, 200, JSON.stringify(restored.body));
      assert.equal(restored.body.records_restored, 2);
      assert.deepEqual(await answers(count), [{ n: 2 }]);
      assert.equal(
        (await bufferedOnWorkers("compacted")) - bufferedBefore,
        2,
        "the restored records went to the owning workers' buffers",
      );
    });

    it("runs the scheduled jobs on one query node at a time: the lease holder, then the next one once it leaves", async () => {
      const scheduling = {
        ...env(),
        MINIODB_LIFECYCLE__INTERVAL_SECONDS: "1",
        MINIODB_LIFECYCLE__BACKUP_INTERVAL_SECONDS: "1",
        // The test's keep-alive connections would hold each stop for the whole default grace.
        MINIODB_SERVER__SHUTDOWN_GRACE_SECONDS: "1",
      };
      const pair = new Map(
        await Promise.all(
          ["qa", "qb"].map(
            async (id) => [id, await spawnNode(["--role", "query", "--node-id", id], scheduling)] as const,
          ),
        ),
      );
      nodes.push(...pair.values());
      const scheduled = async (node: SpawnedNode) => {
        const listed = await requestJson<{ jobs: Array<{ kind: string }> }>(
          `http://127.0.0.1:${node.ports.rest}/v1/jobs`,
        );
        return listed.body.jobs.map((job) => job.kind);
      };
      const lease = () => {
        const out = spawnSync("redis-cli", ["-p", String(redis.port), "HGETALL", "lease:lifecycle"], {
          encoding: "utf8",
        }).stdout.trim();
        const fields = out.split("\n");
        const entry: Record<string, string> = {};
        for (let index = 0; index + 1 < fields.length; index += 2) entry[fields[index]!] = fields[index + 1]!;
        return entry;
      };
      /** The kinds of the jobs each of the two ran, by node id. */
      const ran = async () =>
        new Map(await Promise.all([...pair].map(async ([id, node]) => [id, await scheduled(node)] as const)));
      await until("one query node ran three scheduled rounds", async () =>
        [...(await ran()).values()].some(
          (kinds) => kinds.filter((kind) => kind === "compaction").length >= 3,
        ),
      );
      const kinds = await ran();
      const [holderId, otherId] = [...kinds.keys()].sort(
        (a, b) => kinds.get(b)!.length - kinds.get(a)!.length,
      );
      const [holder, other] = [pair.get(holderId!)!, pair.get(otherId!)!];
      assert.equal(
        kinds.get(otherId!)!.length,
        0,
        `only the lease holder ran jobs: ${JSON.stringify(Object.fromEntries(kinds))}`,
      );
      assert.ok((await scheduled(holder)).includes("backup"), "the holder took the scheduled backup");
      const held = lease();
      assert.equal(held["holder"], holderId);
      // Leaving gracefully hands the lease back; the other query node takes it with a new token.
      assert.equal(await holder.stop("SIGTERM"), 0);
      await until("the other query node took over", async () => (await scheduled(other)).length > 0);
      const taken = lease();
      assert.equal(taken["holder"], otherId);
      assert.equal(Number(taken["token"]), Number(held["token"]) + 1);
      assert.equal(await other.stop("SIGTERM"), 0);
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

    it("keeps records deleted or updated while a crashed worker held newer versions of them, through a compaction and its restart", async () => {
      const walMarks = () =>
        spawnSync("redis-cli", ["-p", String(redis.port), "HKEYS", "wal_marks"], { encoding: "utf8" })
          .stdout.split("\n")
          .filter((key) => key !== "")
          .sort();
      assert.deepEqual(walMarks(), ["w2"], "w1 and w3 removed their WAL marks when they left");
      await startWorker("w3");
      assert.deepEqual(walMarks(), ["w2", "w3"]);
      await requestJson(`${rest()}/v1/tables`, {
        body: { table_name: "revived", config: { buffer_size: 60, flush_interval_seconds: 3600 } },
      });
      // First versions: each worker gets about 100 rows, over its buffer_size, and flushes them.
      await writeUsers(rest(), "revived", userRows(200, 70_000));
      await until("the first versions are flushed", async () => {
        const status = await requestJson<{ buffer_stats: Record<string, number> }>(`${rest()}/v1/status`);
        return (
          (await fileCount("revived")) >= 2 && status.body.buffer_stats["revived.unflushed_records"] === 0
        );
      });
      // Second versions of 40 of them, about 20 per worker: they stay buffered.
      const ids = userRows(40, 70_000).map((row) => row.id);
      await writeUsers(rest(), "revived", userRows(40, 70_000));
      const versionsSql = `SELECT id, count(*) AS n FROM revived WHERE id IN (${ids.map((id) => `'${id}'`).join(", ")}) GROUP BY id`;
      const versions = async () =>
        new Map((await answers(versionsSql)).map((row) => [String(row["id"]), Number(row["n"])]));
      assert.ok([...(await versions()).values()].every((n) => n === 2));
      await workers.get("w2")!.stop("SIGKILL");
      await until("the killed worker's registration lapsed", async () => {
        const response = await requestJson(`${rest()}/v1/query`, { body: { sql: versionsSql } });
        return response.status === 200;
      });
      // w2's second versions are invisible now: its ids show one version.
      const seen = await versions();
      const onW2 = ids.filter((id) => seen.get(id) === 1);
      assert.ok(
        onW2.length >= 4 && onW2.length < ids.length,
        `w2 held ${onW2.length} of the second versions`,
      );
      const [updated, ...rest2] = onW2;
      const deleted = rest2.slice(0, Math.ceil(rest2.length / 2));
      const kept = rest2.slice(deleted.length);
      const removed = await requestJson<{ deleted_count: number }>(`${rest()}/v1/data`, {
        method: "DELETE",
        body: { table: "revived", ids: deleted },
      });
      assert.equal(removed.body.deleted_count, deleted.length, JSON.stringify(removed.body));
      const replaced = await requestJson(`${rest()}/v1/data`, {
        method: "PUT",
        body: {
          table: "revived",
          id: updated,
          payload: { name: "replaced", age: 1, score: 1, city: "lima", active: true },
        },
      });
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      const compact = async () => {
        const run = await requestJson<JobBody>(`${rest()}/v1/compaction`, { body: { table: "revived" } });
        assert.equal(run.status, 200, JSON.stringify(run.body));
        assert.equal(run.body.job.state, "succeeded");
        return run.body.job.result;
      };
      // The files lose the hidden rows, but w2's WAL may hold versions the tombstones hide.
      const whileDown = await compact();
      const restarted = await startWorker("w2");
      assert.ok(restarted.logs.some((line) => line["msg"] === "flushed rows replayed from the WAL"));
      const after = await versions();
      for (const id of deleted) assert.equal(after.get(id), undefined, `${id} stays deleted`);
      for (const id of kept) assert.equal(after.get(id), 2, `${id}'s second version is back`);
      assert.deepEqual(await answers(`SELECT name FROM revived WHERE id = '${updated}'`), [
        { name: "replaced" },
      ]);
      assert.equal(whileDown["tombstones_retired"], 0, "w2's WAL mark held the tombstones");
      const answer = "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages FROM revived";
      const before = await answers(answer);
      // With w2 back and its replayed rows flushed, the next compaction retires them all.
      assert.equal((await compact())["tombstones_retired"], deleted.length + 1);
      assert.deepEqual(await answers(answer), before);
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
