import assert from "node:assert/strict";
import { it } from "node:test";
import { userRows, waitForFiles, writeUsers } from "../support/query-fixtures.js";
import { sampleSum, scrape } from "../support/prometheus-scrape.js";
import { requestJson } from "../support/rest.js";
import type { JobBody, TestCluster } from "../support/test-cluster.js";

/** Updates, deletes, compaction, retention and backups through the query node. */
export function mutationCases(cluster: TestCluster): void {
  it("updates and deletes records held by any worker", async () => {
    const update = await requestJson(`${cluster.rest()}/v1/data`, {
      method: "PUT",
      body: {
        table: "users",
        id: "u-5",
        payload: { name: "renamed", age: 99, score: 1, city: "lima", active: true },
      },
    });
    assert.equal(update.status, 200, JSON.stringify(update.body));
    const removed = await requestJson<{ deleted_count: number }>(`${cluster.rest()}/v1/data`, {
      method: "DELETE",
      body: { table: "users", ids: ["u-6", "u-7"] },
    });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.equal(removed.body.deleted_count, 2);
    assert.deepEqual(await cluster.answers("SELECT name, age FROM users WHERE id = 'u-5'"), [
      { name: "renamed", age: 99 },
    ]);
    assert.deepEqual(await cluster.answers("SELECT count(*) AS n FROM users WHERE id IN ('u-6', 'u-7')"), [
      { n: 0 },
    ]);
    // Written again after its delete, a record is visible again.
    await writeUsers(cluster.rest(), "users", userRows(1, 6));
    assert.deepEqual(await cluster.answers("SELECT count(*) AS n FROM users WHERE id = 'u-6'"), [{ n: 1 }]);
    await cluster.reference.query(
      "UPDATE users SET name = 'renamed', age = 99, score = 1, city = 'lima', active = true WHERE id = 'u-5'",
    );
    await cluster.reference.query("DELETE FROM users WHERE id = 'u-7'");
  });

  it("compacts on demand through the query node: small files of both workers merged, tombstones of buffered rows kept, every answer the same", async () => {
    await requestJson(`${cluster.rest()}/v1/tables`, {
      body: { table_name: "compacted", config: { buffer_size: 20, flush_interval_seconds: 3600 } },
    });
    // Each batch gives each worker about 50 rows, over its buffer_size: one small file per worker.
    for (let batch = 0; batch < 6; batch++) {
      await writeUsers(cluster.rest(), "compacted", userRows(100, batch * 100), 100);
      await waitForFiles(cluster.rest(), "compacted", 2 * (batch + 1));
    }
    // Stays in a worker's buffer (one row, a flush interval of an hour), then deleted.
    await writeUsers(cluster.rest(), "compacted", userRows(1, 5_000));
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
      const response = await requestJson(`${cluster.rest()}/v1/data`, { method, body });
      assert.equal(response.status, 200, JSON.stringify(response.body));
    }
    const suite = [
      "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages, max(score) AS hi FROM compacted",
      "SELECT city, count(*) AS n, round(avg(score), 6) AS score FROM compacted GROUP BY city ORDER BY city",
      "SELECT id, name, age FROM compacted WHERE id IN ('u-1', 'u-5', 'u-77', 'u-5000') ORDER BY id",
    ];
    const before = await Promise.all(suite.map((sql) => cluster.answers(sql)));
    assert.equal(before[0]![0]!["n"], 599);
    const filesBefore = await cluster.fileCount("compacted");
    const compaction = await requestJson<JobBody>(`${cluster.rest()}/v1/compaction`, {
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
    assert.equal(await cluster.fileCount("compacted"), result["files_after"]);
    assert.deepEqual(await Promise.all(suite.map((sql) => cluster.answers(sql))), before);
    // GetJob over Connect on the gRPC port: the same job.
    const job = await requestJson<{ job: { kind: string; state: string; resultJson: string } }>(
      `http://127.0.0.1:${cluster.query.ports.grpc}/miniodb.v1.MinIODBService/GetJob`,
      { body: { jobId: compaction.body.job_id } },
    );
    assert.equal(job.status, 200, JSON.stringify(job.body));
    assert.deepEqual([job.body.job.kind, job.body.job.state], ["compaction", "succeeded"]);
    assert.equal(JSON.parse(job.body.job.resultJson).files_after, result["files_after"]);
  });

  it("hides rows older than retention_days at once and drops their files at the next compaction", async () => {
    await requestJson(`${cluster.rest()}/v1/tables`, {
      body: { table_name: "aging", config: { buffer_size: 1, retention_days: 30 } },
    });
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    const records = [
      { id: "old-1", timestamp: at(100), payload: { v: 1 } },
      { id: "old-2", timestamp: at(40), payload: { v: 2 } },
      { id: "new-1", timestamp: at(1), payload: { v: 3 } },
      { id: "new-2", timestamp: at(0), payload: { v: 4 } },
    ];
    const written = await requestJson(`${cluster.rest()}/v1/data/batch`, {
      body: { table: "aging", records },
    });
    assert.equal(written.status, 200, JSON.stringify(written.body));
    const ids = async () =>
      (await cluster.answers("SELECT id FROM aging ORDER BY id")).map((row) => row["id"]);
    assert.deepEqual(await ids(), ["new-1", "new-2"]);
    await waitForFiles(cluster.rest(), "aging", 4);
    assert.deepEqual(await ids(), ["new-1", "new-2"]);
    const result = await cluster.compact("aging");
    assert.equal(result["expired_files_removed"], 2);
    assert.equal(result["expired_rows_removed"], 2);
    assert.equal(await cluster.fileCount("aging"), 2);
    assert.deepEqual(await ids(), ["new-1", "new-2"]);
  });

  it("takes a metadata backup through the query node and restores deleted records through the workers", async () => {
    const taken = await requestJson<{ success: boolean; backup_id: string }>(
      `${cluster.rest()}/v1/metadata/backup`,
      { body: { force: true } },
    );
    assert.equal(taken.status, 200, JSON.stringify(taken.body));
    assert.ok(taken.body.success);
    const listed = await requestJson<{ backups: Array<{ object_name: string }> }>(
      `${cluster.rest()}/v1/metadata/backups?days=1`,
    );
    assert.ok(listed.body.backups.some((backup) => backup.object_name === `${taken.body.backup_id}.json`));
    const status = await requestJson<{ backup_status: Record<string, string> }>(
      `${cluster.rest()}/v1/metadata/status`,
    );
    assert.equal(status.body.backup_status["backup.state"], "succeeded");
    const metrics = await scrape(`${cluster.rest()}/metrics`);
    assert.equal(sampleSum(metrics, "miniodb_backup_operations_total", { status: "success" }), 1);

    const bufferedBefore = await cluster.bufferedOnWorkers("compacted");
    const removed = await requestJson(`${cluster.rest()}/v1/data`, {
      method: "DELETE",
      body: { table: "compacted", ids: ["u-10", "u-11"] },
    });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    const count = "SELECT count(*) AS n FROM compacted WHERE id IN ('u-10', 'u-11')";
    assert.deepEqual(await cluster.answers(count), [{ n: 0 }]);
    const restored = await requestJson<{ records_restored: number }>(`${cluster.rest()}/v1/restore/data`, {
      body: { table: "compacted", ids: ["u-10", "u-11"], backup_file: taken.body.backup_id },
    });
    assert.equal(restored.status, 200, JSON.stringify(restored.body));
    assert.equal(restored.body.records_restored, 2);
    assert.deepEqual(await cluster.answers(count), [{ n: 2 }]);
    assert.equal(
      (await cluster.bufferedOnWorkers("compacted")) - bufferedBefore,
      2,
      "the restored records went to the owning workers' buffers",
    );
  });
}
