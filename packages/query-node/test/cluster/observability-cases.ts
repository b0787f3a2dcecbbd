import assert from "node:assert/strict";
import { it } from "node:test";
import { sampleSum, scrape } from "../support/prometheus-scrape.js";
import { requestJson } from "../support/rest.js";
import type { TestCluster } from "../support/test-cluster.js";

/** Metrics of every node and the cluster in `/v1/status`. */
export function observabilityCases(cluster: TestCluster): void {
  it("serves /metrics on the query node and on each worker's cluster port, and lists the nodes in /v1/status", async () => {
    await requestJson(`${cluster.rest()}/v1/tables`, {
      body: { table_name: "observed", config: { buffer_size: 100_000, flush_interval_seconds: 3600 } },
    });
    const written = await requestJson(`${cluster.rest()}/v1/data/batch`, {
      body: {
        table: "observed",
        records: Array.from({ length: 40 }, (_, i) => ({ id: `o-${i}`, payload: { i } })),
      },
    });
    assert.equal(written.status, 200, JSON.stringify(written.body));
    const queryMetrics = await scrape(`${cluster.rest()}/metrics`);
    assert.equal(
      sampleSum(queryMetrics, "miniodb_write_operations_total", { table: "observed", status: "success" }),
      40,
    );
    // Table totals on the query node include the rows still buffered on the workers.
    assert.equal(sampleSum(queryMetrics, "miniodb_table_record_count", { table: "observed" }), 40);
    let unflushedOnWorkers = 0;
    for (const id of ["w1", "w2"]) {
      const port = cluster.clusterPort(id);
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
    }>(`${cluster.rest()}/v1/status`);
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
}
