import assert from "node:assert/strict";
import { it } from "node:test";
import { userRows, writeUsers, type UserRow } from "../support/query-fixtures.js";
import { requestJson } from "../support/rest.js";
import type { TestCluster } from "../support/test-cluster.js";

/** Workers joining, leaving and crashing while clients write. */
export function membershipCases(cluster: TestCluster): void {
  it("keeps every acknowledged row, once, while a worker joins and another leaves during writes", async () => {
    let next = 10_000;
    let writing = true;
    const acknowledged: UserRow[] = [];
    const writer = (async () => {
      while (writing) {
        const batch = userRows(200, next);
        next += 200;
        await writeUsers(cluster.rest(), "users", batch, 200);
        acknowledged.push(...batch);
      }
    })();
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const joining = await cluster.startWorker("w3");
      const joined = joining.logs.find((line) => line["msg"] === "joined the cluster");
      assert.deepEqual(joined?.["flushed"], ["w1", "w2"], "the old owners flushed before w3 turned active");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal(await cluster.workers.get("w1")!.stop("SIGTERM"), 0, "w1 leaves gracefully");
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      writing = false;
      await writer;
    }
    assert.ok(acknowledged.length >= 1_000, `${acknowledged.length} rows written during the changes`);
    const values = acknowledged.map((row) => `('${row.id}', ${row.payload.age}, ${row.payload.score})`);
    await cluster.reference.query(
      `CREATE TABLE extra AS SELECT * FROM (VALUES ${values.join(", ")}) AS t(id, age, score)`,
    );
    const sql =
      "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages, max(score) AS hi FROM users";
    const want = await cluster.expected(
      "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages, max(score) AS hi FROM (SELECT id, age, score FROM users UNION ALL SELECT id, age, score FROM extra)",
    );
    assert.deepEqual(await cluster.answers(sql), want);
    assert.equal(await cluster.workers.get("w3")!.stop("SIGTERM"), 0, "w3 leaves gracefully");
    assert.ok(
      cluster.dataFileNodes().has("w3"),
      "the joining worker took writes and flushed them when it left",
    );
    assert.deepEqual(await cluster.answers(sql), want);
  });

  it("answers unavailable while a killed worker is registered, then without its unflushed rows, and with them once it restarts", async () => {
    // A table of its own, whose buffer never fills: the rows stay unflushed until the kill (the
    // users table's buffer may hold earlier rows, and reaching its buffer_size would flush).
    await requestJson(`${cluster.rest()}/v1/tables`, {
      body: { table_name: "unflushed", config: { buffer_size: 100_000, flush_interval_seconds: 3600 } },
    });
    await writeUsers(cluster.rest(), "users", userRows(200, 50_000));
    await writeUsers(cluster.rest(), "unflushed", userRows(500, 60_000));
    const total = "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM unflushed) AS n";
    const before = ((await cluster.answers(total)) as Array<{ n: number }>)[0]!.n;
    await cluster.workers.get("w2")!.stop("SIGKILL");
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await requestJson(`${cluster.rest()}/v1/query`, { body: { sql: total } });
      statuses.push(response.status);
      if (response.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(statuses[0], 503, "a registered worker that does not answer fails the query");
    assert.equal(statuses.at(-1), 200, "answers again once the worker's registration lapsed");
    const hidden = ((await cluster.answers(total)) as Array<{ n: number }>)[0]!.n;
    assert.ok(hidden < before, `the dead worker's unflushed rows are invisible (${hidden} < ${before})`);
    const restarted = await cluster.startWorker("w2");
    assert.ok(restarted.logs.some((line) => line["msg"] === "flushed rows replayed from the WAL"));
    assert.deepEqual(
      await cluster.answers(total),
      [{ n: before }],
      "the restarted worker replayed and flushed its WAL",
    );
  });

  it("keeps records deleted or updated while a crashed worker held newer versions of them, through a compaction and its restart", async () => {
    const walMarks = () => cluster.redisCli("HKEYS", "wal_marks").sort();
    assert.deepEqual(walMarks(), ["w2"], "w1 and w3 removed their WAL marks when they left");
    await cluster.startWorker("w3");
    assert.deepEqual(walMarks(), ["w2", "w3"]);
    await requestJson(`${cluster.rest()}/v1/tables`, {
      body: { table_name: "revived", config: { buffer_size: 60, flush_interval_seconds: 3600 } },
    });
    // First versions: each worker gets about 100 rows, over its buffer_size, and flushes them.
    await writeUsers(cluster.rest(), "revived", userRows(200, 70_000));
    await cluster.until("the first versions are flushed", async () => {
      const status = await requestJson<{ buffer_stats: Record<string, number> }>(
        `${cluster.rest()}/v1/status`,
      );
      return (
        (await cluster.fileCount("revived")) >= 2 &&
        status.body.buffer_stats["revived.unflushed_records"] === 0
      );
    });
    // Second versions of 40 of them, about 20 per worker: they stay buffered.
    const ids = userRows(40, 70_000).map((row) => row.id);
    await writeUsers(cluster.rest(), "revived", userRows(40, 70_000));
    const versionsSql = `SELECT id, count(*) AS n FROM revived WHERE id IN (${ids.map((id) => `'${id}'`).join(", ")}) GROUP BY id`;
    const versions = async () =>
      new Map((await cluster.answers(versionsSql)).map((row) => [String(row["id"]), Number(row["n"])]));
    assert.ok([...(await versions()).values()].every((n) => n === 2));
    await cluster.workers.get("w2")!.stop("SIGKILL");
    await cluster.until("the killed worker's registration lapsed", async () => {
      const response = await requestJson(`${cluster.rest()}/v1/query`, { body: { sql: versionsSql } });
      return response.status === 200;
    });
    // w2's second versions are invisible now: its ids show one version.
    const seen = await versions();
    const onW2 = ids.filter((id) => seen.get(id) === 1);
    assert.ok(onW2.length >= 4 && onW2.length < ids.length, `w2 held ${onW2.length} of the second versions`);
    const [updated, ...rest2] = onW2;
    const deleted = rest2.slice(0, Math.ceil(rest2.length / 2));
    const kept = rest2.slice(deleted.length);
    const removed = await requestJson<{ deleted_count: number }>(`${cluster.rest()}/v1/data`, {
      method: "DELETE",
      body: { table: "revived", ids: deleted },
    });
    assert.equal(removed.body.deleted_count, deleted.length, JSON.stringify(removed.body));
    const replaced = await requestJson(`${cluster.rest()}/v1/data`, {
      method: "PUT",
      body: {
        table: "revived",
        id: updated,
        payload: { name: "replaced", age: 1, score: 1, city: "lima", active: true },
      },
    });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    const compact = () => cluster.compact("revived");
    // The files lose the hidden rows, but w2's WAL may hold versions the tombstones hide.
    const whileDown = await compact();
    const restarted = await cluster.startWorker("w2");
    assert.ok(restarted.logs.some((line) => line["msg"] === "flushed rows replayed from the WAL"));
    const after = await versions();
    for (const id of deleted) assert.equal(after.get(id), undefined, `${id} stays deleted`);
    for (const id of kept) assert.equal(after.get(id), 2, `${id}'s second version is back`);
    assert.deepEqual(await cluster.answers(`SELECT name FROM revived WHERE id = '${updated}'`), [
      { name: "replaced" },
    ]);
    assert.equal(whileDown["tombstones_retired"], 0, "w2's WAL mark held the tombstones");
    const answer = "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(age) AS ages FROM revived";
    const before = await cluster.answers(answer);
    // With w2 back and its replayed rows flushed, the next compaction retires them all.
    assert.equal((await compact())["tombstones_retired"], deleted.length + 1);
    assert.deepEqual(await cluster.answers(answer), before);
  });
}
