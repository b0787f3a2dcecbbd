import assert from "node:assert/strict";
import { it } from "node:test";
import { queryRows } from "../support/query-fixtures.js";
import { sampleSum, scrape } from "../support/prometheus-scrape.js";
import { requestJson } from "../support/rest.js";
import type { SpawnedNode } from "../support/spawn-node.js";
import type { TestCluster } from "../support/test-cluster.js";

interface BatchBody {
  success: boolean;
  records_count: number;
  errors: string[];
}

/** Records without ids: the table generates them (on the query node that routes the write). */
function recordsWithoutIds(count: number) {
  return Array.from({ length: count }, (_, n) => ({ payload: { n, name: `r${n}` } }));
}

function keyedBatch(node: SpawnedNode, key: string, table: string, count: number) {
  return fetch(`http://127.0.0.1:${node.ports.rest}/v1/data/batch`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ table, records: recordsWithoutIds(count) }),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as BatchBody }));
}

function keyedRecord(node: SpawnedNode, key: string, table: string) {
  return fetch(`http://127.0.0.1:${node.ports.rest}/v1/data`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ table, data: { payload: { name: "one" } } }),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as { id: string } }));
}

/** Keyed writes of records without ids, retried through the same and the other query node. */
export function idempotencyCases(cluster: TestCluster): void {
  const ids = async (table: string) =>
    (await queryRows(cluster.rest(), `SELECT id FROM ${table} ORDER BY id`)).rows.map((row) => row["id"]);
  const counts = (table: string) =>
    cluster.answers(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${table}`);

  it("applies a keyed write of records without ids once, retried through either query node", async () => {
    for (const strategy of ["uuid", "snowflake"]) {
      const table = `keyed_${strategy}`;
      const created = await requestJson(`${cluster.rest()}/v1/tables`, {
        body: { table_name: table, config: { id_strategy: strategy, auto_generate_id: true } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const first = await keyedBatch(cluster.query, `batch-${strategy}`, table, 400);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.records_count, 400);
      const written = await ids(table);
      assert.equal(written.length, 400);
      const retries = [
        await keyedBatch(cluster.query, `batch-${strategy}`, table, 400),
        await keyedBatch(cluster.query2, `batch-${strategy}`, table, 400),
        ...(await Promise.all([
          keyedBatch(cluster.query, `batch-${strategy}`, table, 400),
          keyedBatch(cluster.query2, `batch-${strategy}`, table, 400),
        ])),
      ];
      for (const retry of retries) assert.deepEqual(retry, first);
      assert.deepEqual(await counts(table), [{ n: 400, ids: 400 }]);
      assert.deepEqual(await ids(table), written, "the retries wrote no other ids");

      const one = await keyedRecord(cluster.query, `one-${strategy}`, table);
      assert.equal(one.status, 200, JSON.stringify(one.body));
      for (const node of [cluster.query, cluster.query2]) {
        const again = await keyedRecord(node, `one-${strategy}`, table);
        assert.equal(again.status, 200, JSON.stringify(again.body));
        assert.equal(again.body.id, one.body.id, "the retry answers the id the first call generated");
      }
      assert.deepEqual(await counts(table), [{ n: 401, ids: 401 }]);
    }
  });

  it("completes a keyed write whose query node was killed after a worker acknowledged its part", async () => {
    const table = "keyed_crash";
    await requestJson(`${cluster.rest()}/v1/tables`, { body: { table_name: table } });
    const q3 = await cluster.startNode(["--role", "query", "--node-id", "q3"], {
      MINIODB_LIFECYCLE__INTERVAL_SECONDS: "0",
    });
    // q3 writes to both workers once first: its connections and the workers' state of the table
    // are ready, so its part for w1 is written at once below.
    const warm = await keyedBatch(q3, "crash-0", table, 50);
    assert.equal(warm.status, 200, JSON.stringify(warm.body));
    // w2 stands still (within its heartbeat TTL): q3's part for w1 is written, its part for w2
    // waits, and q3 is killed before it can answer.
    const w2 = cluster.workers.get("w2")!;
    const metrics = `http://127.0.0.1:${cluster.clusterPort("w1")}/metrics`;
    const bufferedOnW1 = async () =>
      sampleSum(await scrape(metrics), "miniodb_table_unflushed_records", { table }) || 0;
    const before = await bufferedOnW1();
    process.kill(w2.pid, "SIGSTOP");
    const lost = keyedBatch(q3, "crash-1", table, 600).catch((error: unknown) => error);
    let buffered = before;
    try {
      const until = Date.now() + 2_000;
      while (buffered <= before && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        buffered = await bufferedOnW1();
      }
      await q3.stop("SIGKILL");
    } finally {
      process.kill(w2.pid, "SIGCONT");
    }
    assert.ok(buffered > before, "w1 wrote its part before q3 was killed");
    assert.ok((await lost) instanceof Error, "q3 did not answer");
    const retry = await keyedBatch(cluster.query, "crash-1", table, 600);
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.records_count, 600);
    assert.deepEqual(await keyedBatch(cluster.query2, "crash-1", table, 600), retry);
    assert.deepEqual(await counts(table), [{ n: 650, ids: 650 }]);
  });
}
