import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ShardRing } from "@miniodb/core";
import { redisTestSkip } from "@miniodb/metadata/testing";
import { spawnServe, type ServeProcess } from "@miniodb/query-node/testing";
import { BACKUP_BUCKET, PRIMARY_BUCKET, startBackends, type Backends } from "./backends.js";
import { builtEntry, ClusterProcesses } from "./cluster-processes.js";
import { ContinuousCountProbe, type CountObservation } from "./continuous-count-probe.js";
import { eventRecords, orderRecords, userRecords, writeRecords } from "./fixture-rows.js";
import { QUERY_SUITE } from "./query-suite.js";
import { createTable, queryRows, requestJson } from "./rest-client.js";
import { storedDataFiles } from "./stored-data-files.js";
import { waitUntil } from "./wait-until.js";
import { workerStats } from "./worker-stats.js";

const USERS = 3_000;
const ORDERS = 6_000;
/** Tables of the query suite. Nothing flushes them in the background, so the backup test knows every file. */
const SUITE_TABLES = {
  // Flushed at 400 rows: the suite reads files and buffers alike.
  users: { buffer_size: 400, flush_interval_seconds: 3_600 },
  // Never flushed by the workers on their own: every row stays in its owner's buffer.
  orders: { buffer_size: 100_000, flush_interval_seconds: 3_600 },
};

interface StatusNode {
  readonly id: string;
  readonly role: string;
  readonly state: string;
  readonly shards_owned: number;
  readonly buffered_rows: number;
}

/**
 * One query node and three workers, each a separate process, on one redis-server and two s3rvers
 * (primary and backup pools); a single all-in-one node on its embedded stores, fed the same rows,
 * gives the answers the cluster must match.
 */
describe(
  "a cluster of one query node and three workers on Redis and two S3 servers",
  { skip: redisTestSkip(Boolean(process.env["CI"])) },
  () => {
    let backends: Backends;
    let cluster: ClusterProcesses;
    let single: ServeProcess;
    let rest: string;
    let singleRest: string;
    /** Rows of `events` acknowledged while workers joined and left. */
    let events = 0;

    before(async () => {
      backends = await startBackends();
      cluster = new ClusterProcesses(backends.env());
      await Promise.all([
        spawnServe({ entry: builtEntry(), env: { MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100" } }).then(
          (node) => (single = node),
        ),
        ...["w1", "w2", "w3"].map((id) => cluster.startWorker(id)),
      ]);
      singleRest = `http://127.0.0.1:${single.ports.rest}`;
      const query = await cluster.startQueryNode("q1");
      rest = query.rest;
      assert.deepEqual(query.process.listening["workers"], ["w1", "w2", "w3"]);
    });
    after(async () => {
      await Promise.all([cluster?.stopAll(), single?.stop("SIGKILL")]);
      await backends?.stop();
    });

    it("routes each row to the worker the ring names and answers the query suite exactly as a single node", async () => {
      for (const [table, config] of Object.entries(SUITE_TABLES))
        for (const url of [rest, singleRest]) await createTable(url, table, config);
      const users = userRecords(USERS);
      const orders = orderRecords(ORDERS, USERS);
      await Promise.all(
        [rest, singleRest].map(async (url) => {
          await writeRecords(url, "users", users);
          await writeRecords(url, "orders", orders);
        }),
      );

      // Every order is buffered on the owner of its shard, and each of the three owns some.
      const ring = ShardRing.build(["w1", "w2", "w3"]);
      const owned = new Map<string, number>();
      for (const order of orders) {
        const owner = ring.ownerOfRecord("orders", order.id);
        owned.set(owner, (owned.get(owner) ?? 0) + 1);
      }
      await ownRing(ring);
      for (const [id, worker] of cluster.workers) {
        assert.ok((owned.get(id) ?? 0) > 0, `${id} owns some orders`);
        assert.equal(
          (await workerStats(worker)).bufferedRows["orders"],
          owned.get(id),
          `orders buffered on ${id}`,
        );
      }
      const status = await requestJson<{ nodes: StatusNode[] }>(`${rest}/v1/status`);
      const workers = status.body.nodes.filter((node) => node.role === "worker");
      assert.deepEqual(
        workers.map((node) => [node.id, node.state, node.shards_owned]),
        ["w1", "w2", "w3"].map((id) => [id, "active", ring.shardsOf(id).length]),
      );
      for (const node of workers) assert.ok(node.buffered_rows >= owned.get(node.id)!, JSON.stringify(node));

      // users went past its buffer size on every worker: each flushed files of its own.
      await waitUntil(
        "files of users written by every worker",
        async () => [...new Set((await userFiles()).map((file) => file.nodeId))].sort(),
        (writers) => writers.length === 3,
      );

      for (const sql of QUERY_SUITE)
        assert.deepEqual(await queryRows(rest, sql), await queryRows(singleRest, sql), sql);
      // The suite is not vacuous: both sides hold every row.
      assert.deepEqual(
        await queryRows(rest, "SELECT count(*) AS n FROM orders o JOIN users u ON o.user_id = u.id"),
        [{ n: ORDERS }],
      );
    });

    it("splits a scan between the three workers, every row read once", async (t) => {
      for (const [table, rows] of [
        ["users", USERS],
        ["orders", ORDERS],
      ] as const) {
        const workers = [...cluster.workers.values()].sort((a, b) => a.id.localeCompare(b.id));
        const scanned = async () =>
          Promise.all(workers.map(async (worker) => (await workerStats(worker)).rowsScanned));
        const before = await scanned();
        assert.deepEqual(await queryRows(rest, `SELECT count(*) AS n FROM ${table}`), [{ n: rows }]);
        const shares = (await scanned()).map((value, index) => value - before[index]!);
        assert.equal(
          shares.reduce((sum, share) => sum + share, 0),
          rows,
          `rows of ${table} scanned per worker: ${shares.join(", ")}`,
        );
        // Files are assigned by bytes and each worker reads its own buffer: the ring's shares.
        const mean = rows / shares.length;
        assert.ok(
          shares.every((share) => Math.abs(share - mean) <= 0.2 * mean),
          `every worker scanned ${table} within 20 % of the mean: ${shares.join(", ")}`,
        );
        t.diagnostic(
          `${table}: rows scanned by ${workers.map((worker) => worker.id).join(", ")}: ${shares.join(", ")}; largest/smallest ${(Math.max(...shares) / Math.min(...shares)).toFixed(2)}`,
        );
      }
    });

    it("answers every count while a fourth worker joins and one leaves either exactly or unavailable, and ends exact", async (t) => {
      await createTable(rest, "events", { buffer_size: 1_000, flush_interval_seconds: 1 });
      const probe = new ContinuousCountProbe(rest, "events");
      const three = ShardRing.build(["w1", "w2", "w3"]);
      const four = three.withNode("w4");
      const phases: Record<string, { start: number; end: number }> = {};
      probe.start();
      try {
        await sleep(1_000);
        let start = Date.now();
        const joining = await cluster.startWorker("w4");
        phases["join"] = { start, end: Date.now() };
        const joined = joining.process.logs.find((line) => line["msg"] === "joined the cluster");
        const moves = three.movesTo(four);
        assert.deepEqual(
          joined?.["flushed"],
          [...new Set(moves.map((move) => move.from))].sort(),
          "every worker that lost shards flushed before w4 turned active",
        );
        assert.equal(joined?.["moved_shards"], moves.length);
        await ownRing(four);
        await sleep(1_000);
        start = Date.now();
        assert.equal(await cluster.leave("w2"), 0, "w2 leaves gracefully");
        phases["leave"] = { start, end: Date.now() };
        await sleep(1_000);
      } finally {
        await probe.stop();
      }
      events = probe.acknowledged;

      const observed = probe.observations;
      const wrong = observed.filter((observation) => observation.outcome === "wrong");
      assert.deepEqual(wrong, [], "no partial or doubled count");
      for (const [name, phase] of Object.entries(phases)) {
        const during = observed.filter((o) => o.sentAt <= phase.end && o.doneAt >= phase.start);
        assert.ok(during.length > 0, `counts were asked during the ${name}`);
        t.diagnostic(`${name} (${phase.end - phase.start} ms): ${summary(during)}`);
      }
      t.diagnostic(`all: ${summary(observed)}; ${events} rows acknowledged`);
      assert.ok(
        observed.some((o) => o.kind === "strict" && o.outcome === "exact"),
        "some counts were answered exactly between writes",
      );

      assert.deepEqual(
        await queryRows(rest, "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(n) AS total FROM events"),
        [{ n: events, ids: events, total: (events * (events - 1)) / 2 }],
      );
      // The remaining workers own exactly the shards of the ring without w2.
      await ownRing(four.withoutNode("w2"));
      const status = await requestJson<{ nodes: StatusNode[] }>(`${rest}/v1/status`);
      assert.deepEqual(
        status.body.nodes.map((node) => [node.id, node.role, node.state]),
        [
          ["q1", "query", "active"],
          ["w1", "worker", "active"],
          ["w3", "worker", "active"],
          ["w4", "worker", "active"],
        ],
      );
    });

    it("replicates the workers' data files to the backup pool and answers from it once the primary is stopped", async () => {
      await createTable(rest, "late", { buffer_size: 300, flush_interval_seconds: 1 });
      await writeRecords(rest, "late", eventRecords(0, 1_500), 500);
      // Flushed by size and then by age: nothing of it stays buffered, and no worker has read it.
      await waitUntil(
        "every row of late flushed",
        async () => {
          const stats = await Promise.all([...cluster.workers.values()].map((worker) => workerStats(worker)));
          return stats.reduce((sum, worker) => sum + (worker.bufferedRows["late"] ?? 0), 0);
        },
        (buffered) => buffered === 0,
      );
      const primaryFiles = await storedDataFiles(backends.primary, PRIMARY_BUCKET);
      const lateWriters = new Set(
        primaryFiles.filter((file) => file.table === "late").map((file) => file.nodeId),
      );
      assert.ok(lateWriters.size >= 2, `late was flushed by several workers: ${[...lateWriters].join(", ")}`);
      const wanted = primaryFiles.map((file) => `${file.key} ${file.size}`).sort();
      await waitUntil(
        "every data file of the primary replicated to the backup",
        async () => {
          const copies = new Set(
            (await storedDataFiles(backends.backup, BACKUP_BUCKET)).map((f) => `${f.key} ${f.size}`),
          );
          return wanted.filter((file) => !copies.has(file));
        },
        (missing) => missing.length === 0,
      );

      // The primary is gone and no worker has read late's files before (nor holds any of its rows):
      // they can only come from the backup.
      await backends.primary.kill();
      assert.deepEqual(
        await queryRows(rest, "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(n) AS total FROM late"),
        [{ n: 1_500, ids: 1_500, total: (1_500 * 1_499) / 2 }],
      );
      for (const sql of QUERY_SUITE)
        assert.deepEqual(await queryRows(rest, sql), await queryRows(singleRest, sql), sql);
      assert.deepEqual(await queryRows(rest, "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM events"), [
        { n: events, ids: events },
      ]);
    });

    /** Waits until every running worker serves exactly its shards of `ring` (its GetStats). */
    async function ownRing(ring: ShardRing) {
      for (const [id, worker] of cluster.workers)
        await waitUntil(
          `${id} owns its shards of the ring of ${ring.nodes.join(", ")}`,
          async () => (await workerStats(worker)).ownedShards,
          (shards) => JSON.stringify(shards) === JSON.stringify(ring.shardsOf(id)),
        );
    }

    /** The data files of users on the primary. */
    async function userFiles() {
      return (await storedDataFiles(backends.primary, PRIMARY_BUCKET)).filter(
        (file) => file.table === "users",
      );
    }
  },
);

function summary(observations: readonly CountObservation[]): string {
  const count = (outcome: CountObservation["outcome"]) =>
    observations.filter((observation) => observation.outcome === outcome).length;
  return `${observations.length} counts, ${count("exact")} exact, ${count("unavailable")} unavailable, ${count("wrong")} wrong`;
}
