import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { queryRows, userRows, waitForFiles, writeUsers } from "./support/query-fixtures.js";
import { requestJson } from "./support/rest.js";
import { runCli, spawnNode, type SpawnedNode } from "./support/spawn-node.js";

interface JobBody {
  job_id: string;
  job: { state: string; result: Record<string, number>; progress: Record<string, number> };
}

const QUERIES = [
  "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages FROM events",
  "SELECT city, count(*) AS n, round(avg(score), 6) AS score FROM events GROUP BY city ORDER BY city",
  "SELECT id, name, age FROM events WHERE id IN ('u-1', 'u-77', 'u-1999') ORDER BY id",
  "SELECT date_trunc('day', timestamp) AS day, count(*) AS n FROM events GROUP BY day ORDER BY day",
];

describe("compaction end to end", () => {
  let node: SpawnedNode;
  let rest = "";
  const fileCount = async (table: string) =>
    (await requestJson<{ table_info: { stats: { file_count: number } } }>(`${rest}/v1/tables/${table}`)).body
      .table_info.stats.file_count;
  const compact = (body: Record<string, unknown> = {}) =>
    requestJson<JobBody>(`${rest}/v1/compaction`, { body });
  const answers = async () => Promise.all(QUERIES.map(async (sql) => (await queryRows(rest, sql)).rows));

  before(async () => {
    node = await spawnNode([], {
      MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "50",
      MINIODB_LIFECYCLE__INTERVAL_SECONDS: "0",
      MINIODB_LIFECYCLE__DELETE_GRACE_SECONDS: "0",
    });
    rest = `http://127.0.0.1:${node.ports.rest}`;
  });
  after(() => node?.stop());

  it("merges many small flushes into few files per day and every query answers the same", async () => {
    await requestJson(`${rest}/v1/tables`, { body: { table_name: "events", config: { buffer_size: 40 } } });
    // 50 flushes of 40 rows spread over the rows' 3 days: over 50 small files.
    for (let flush = 0; flush < 50; flush++) {
      await writeUsers(rest, "events", userRows(40, flush * 40), 40);
      await waitForFiles(rest, "events", flush + 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = await fileCount("events");
    assert.ok(before >= 50, `expected many small files, found ${before}`);
    // A hard delete and an update: compaction purges the dead rows.
    await requestJson(`${rest}/v1/data`, { method: "DELETE", body: { table: "events", id: "u-5" } });
    await requestJson(`${rest}/v1/data`, {
      method: "PUT",
      body: {
        table: "events",
        id: "u-1",
        payload: { name: "one", age: 1, score: 1, city: "lima", active: true },
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const expected = await answers();
    const response = await compact({ table: "events" });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.job.state, "succeeded");
    assert.equal(response.body.job.result["tombstones_retired"], 2);
    const after = await fileCount("events");
    assert.ok(after <= 3 * 10 && after < before / 5, `${before} files became ${after}`);
    assert.deepEqual(await answers(), expected);
    const job = await requestJson<{ job: { state: string } }>(`${rest}/v1/jobs/${response.body.job_id}`);
    assert.equal(job.body.job.state, "succeeded");
  });

  it("answers not_found for an unknown table or job and invalid_argument for a bad body", async () => {
    assert.equal((await compact({ table: "nope" })).status, 404);
    assert.equal((await requestJson(`${rest}/v1/jobs/unknown`)).status, 404);
    assert.equal((await requestJson(`${rest}/v1/compaction`, { rawBody: "{not json" })).status, 400);
    assert.equal((await compact({ table: "events", bogus: 1 })).status, 400);
  });

  it("races continuous ingest, updates and deletes without losing or resurrecting a row", async () => {
    await requestJson(`${rest}/v1/tables`, { body: { table_name: "race", config: { buffer_size: 25 } } });
    await writeUsers(rest, "race", userRows(300), 25);
    let next = 300;
    const deleted = new Set<string>();
    const updated = new Map<string, number>();
    let running = true;
    const ingest = (async () => {
      while (running) {
        await writeUsers(rest, "race", userRows(25, next), 25);
        next += 25;
      }
    })();
    const mutate = (async () => {
      let i = 0;
      while (running) {
        const id = `u-${(i * 13) % next}`;
        if (!deleted.has(id)) {
          if (i % 2 === 0) {
            const response = await requestJson<{ deleted_count: number }>(`${rest}/v1/data`, {
              method: "DELETE",
              body: { table: "race", id },
            });
            assert.equal(response.status, 200);
            deleted.add(id);
            updated.delete(id);
          } else {
            const payload = { name: `updated ${i}`, age: 1000 + i, score: 0, city: "x", active: false };
            const response = await requestJson(`${rest}/v1/data`, {
              method: "PUT",
              body: { table: "race", id, payload },
            });
            assert.equal(response.status, 200, JSON.stringify(response.body));
            updated.set(id, 1000 + i);
          }
        }
        i++;
      }
    })();
    // At least four compactions, and until enough updates and deletes raced them.
    for (let round = 0; round < 4 || deleted.size < 10 || updated.size < 10; round++) {
      const response = await compact({ table: "race" });
      assert.equal(response.body.job.state, "succeeded", JSON.stringify(response.body));
      assert.ok(round < 500, "mutations keep going");
    }
    running = false;
    await Promise.all([ingest, mutate]);
    await compact({ table: "race" });
    const count = (await queryRows(rest, "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM race"))
      .rows[0]!;
    assert.equal(count["n"], next - deleted.size);
    assert.equal(count["ids"], next - deleted.size);
    const gone = [...deleted].map((id) => `'${id}'`).join(", ");
    assert.deepEqual((await queryRows(rest, `SELECT id FROM race WHERE id IN (${gone})`)).rows, []);
    for (const [id, age] of updated) {
      assert.deepEqual((await queryRows(rest, `SELECT age FROM race WHERE id = '${id}'`)).rows, [{ age }]);
    }
    assert.ok(deleted.size > 0 && updated.size > 0);
  });

  it("hides rows older than retention_days at once and drops their files at the next run", async () => {
    await requestJson(`${rest}/v1/tables`, {
      body: { table_name: "aging", config: { buffer_size: 2, retention_days: 30 } },
    });
    const day = 86_400_000;
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
    const records = [
      { id: "old-1", timestamp: at(100), payload: { v: 1 } },
      { id: "old-2", timestamp: at(40), payload: { v: 2 } },
      { id: "new-1", timestamp: at(1), payload: { v: 3 } },
      { id: "new-2", timestamp: at(0), payload: { v: 4 } },
    ];
    assert.equal(
      (await requestJson(`${rest}/v1/data/batch`, { body: { table: "aging", records } })).status,
      200,
    );
    const ids = async () =>
      (await queryRows(rest, "SELECT id FROM aging ORDER BY id")).rows.map((row) => row["id"]);
    assert.deepEqual(await ids(), ["new-1", "new-2"]);
    await waitForFiles(rest, "aging", 3);
    assert.deepEqual(await ids(), ["new-1", "new-2"]);
    const run = await compact({ table: "aging" });
    assert.equal(run.body.job.result["expired_files_removed"], 2);
    assert.equal(run.body.job.result["expired_rows_removed"], 2);
    assert.deepEqual(await ids(), ["new-1", "new-2"]);
    assert.ok((await fileCount("aging")) <= 2);
  });

  it("is started from the command line too", async () => {
    const done = await runCli(["compact", "events", "--url", rest]);
    assert.equal(done.code, 0, done.stderr);
    assert.equal((JSON.parse(done.stdout) as JobBody).job.state, "succeeded");
    const missing = await runCli(["compact", "nope", "--url", rest]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /not_found/);
  });
});
