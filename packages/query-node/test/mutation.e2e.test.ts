import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { queryRows, userRows, writeUsers } from "./support/query-fixtures.js";
import { requestJson } from "./support/rest.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

const dataDir = mkdtempSync(join(tmpdir(), "miniodb-mutations-"));
const start = () =>
  spawnNode([], { MINIODB_NODE__DATA_DIR: dataDir, MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100" });

describe("updates, deletes and flushes racing queries", () => {
  let node: SpawnedNode;
  let rest = "";
  const restart = async () => {
    await node.stop();
    node = await start();
    rest = `http://127.0.0.1:${node.ports.rest}`;
  };
  const ageOf = async (id: string) =>
    (await queryRows(rest, `SELECT age FROM users WHERE id = '${id}'`)).rows.map((row) => row["age"]);
  const update = (id: string, payload: Record<string, unknown>) =>
    requestJson(`${rest}/v1/data`, { method: "PUT", body: { table: "users", id, payload } });
  const remove = (body: Record<string, unknown>) =>
    requestJson<{ deleted_count: number }>(`${rest}/v1/data`, {
      method: "DELETE",
      body: { table: "users", ...body },
    });
  after(() => node?.stop());

  it("updates and deletes buffered rows, and the result survives a restart", async () => {
    node = await start();
    rest = `http://127.0.0.1:${node.ports.rest}`;
    await requestJson(`${rest}/v1/tables`, {
      body: { table_name: "users", config: { buffer_size: 100_000 } },
    });
    await writeUsers(rest, "users", userRows(20));
    assert.equal((await update("u-1", { name: "one", age: 99 })).status, 200);
    assert.deepEqual(await ageOf("u-1"), [99]);
    const deleted = await remove({ id: "u-2", soft_delete: false });
    assert.equal(deleted.body.deleted_count, 1);
    assert.deepEqual(await ageOf("u-2"), []);
    await restart();
    assert.deepEqual(await ageOf("u-1"), [99]);
    assert.deepEqual(await ageOf("u-2"), []);
    assert.deepEqual((await queryRows(rest, "SELECT count(*) AS n FROM users")).rows, [{ n: 19 }]);
  });

  it("updates and deletes flushed rows, by one id and by a list", async () => {
    const files = await requestJson<{ table_info: { stats: { file_count: number } } }>(
      `${rest}/v1/tables/users`,
    );
    assert.ok(files.body.table_info.stats.file_count >= 1, "the restart flushed the rows");
    assert.equal((await update("u-3", { name: "three", age: 7 })).status, 200);
    assert.deepEqual(await ageOf("u-3"), [7]);
    const byList = await remove({ ids: ["u-4", "u-5", "u-404"], soft_delete: true });
    assert.equal(byList.body.deleted_count, 2);
    assert.equal((await remove({ id: "u-4" })).body.deleted_count, 0);
    await restart();
    assert.deepEqual(await ageOf("u-3"), [7]);
    assert.deepEqual((await queryRows(rest, "SELECT count(*) AS n FROM users")).rows, [{ n: 17 }]);
  });

  it("answers not_found for an update of a missing record or table, changing nothing", async () => {
    const missing = await requestJson<{ error: { code: string } }>(`${rest}/v1/data`, {
      method: "PUT",
      body: { table: "users", id: "u-404", payload: { age: 1 } },
    });
    assert.equal(missing.status, 404);
    const noTable = await requestJson(`${rest}/v1/data`, {
      method: "PUT",
      body: { table: "nope", id: "u-1", payload: { age: 1 } },
    });
    assert.equal(noTable.status, 404);
    const badPayload = await requestJson(`${rest}/v1/data`, {
      method: "PUT",
      body: { table: "users", id: "u-1" },
    });
    assert.equal(badPayload.status, 400);
    const noIds = await remove({ ids: [] });
    assert.equal(noIds.status, 400);
    assert.deepEqual(await ageOf("u-1"), [99]);
    assert.deepEqual((await queryRows(rest, "SELECT count(*) AS n FROM users")).rows, [{ n: 17 }]);
  });

  it("restores soft-deleted records, and refuses to restore hard-deleted ones", async () => {
    const restore = (body: Record<string, unknown>) =>
      requestJson<{ restored_count: number; error?: { code: string } }>(`${rest}/v1/data/restore`, {
        body: { table: "users", ...body },
      });
    const hard = await restore({ id: "u-2" });
    assert.equal(hard.status, 412);
    assert.equal(hard.body.error?.code, "failed_precondition");
    const soft = await restore({ ids: ["u-4", "u-5"] });
    assert.equal(soft.status, 200, JSON.stringify(soft.body));
    assert.equal(soft.body.restored_count, 2);
    assert.equal((await restore({ id: "u-4" })).body.restored_count, 0);
    assert.deepEqual((await queryRows(rest, "SELECT count(*) AS n FROM users")).rows, [{ n: 19 }]);
  });

  it("restores an updated record as its latest version only, across a restart", async () => {
    const restore = (id: string) =>
      requestJson<{ restored_count: number }>(`${rest}/v1/data/restore`, { body: { table: "users", id } });
    // u-3 was updated (age 7) after its first version was flushed; u-1 was updated while buffered.
    for (const id of ["u-3", "u-1"]) {
      assert.equal((await remove({ id, soft_delete: true })).body.deleted_count, 1);
      assert.deepEqual(await ageOf(id), []);
    }
    await restart();
    assert.equal((await restore("u-3")).body.restored_count, 1);
    assert.equal((await restore("u-1")).body.restored_count, 1);
    assert.deepEqual(await ageOf("u-3"), [7]);
    assert.deepEqual(await ageOf("u-1"), [99]);
    assert.deepEqual((await queryRows(rest, "SELECT count(*) AS n FROM users")).rows, [{ n: 19 }]);
    // The update's tombstone is back: the record can be soft-deleted and restored again.
    assert.equal((await remove({ id: "u-3", soft_delete: true })).body.deleted_count, 1);
    assert.equal((await restore("u-3")).body.restored_count, 1);
    assert.deepEqual(await ageOf("u-3"), [7]);
  });

  it("counts every acknowledged row exactly once while flushes run", async () => {
    await requestJson(`${rest}/v1/tables`, { body: { table_name: "race", config: { buffer_size: 150 } } });
    let acknowledged = 0;
    let writing = true;
    const writer = (async () => {
      for (let batch = 0; writing && batch < 400; batch++) {
        await writeUsers(rest, "race", userRows(50, batch * 50));
        acknowledged += 50;
      }
    })();
    try {
      // At least 40 rounds, and on until the writer is well past several buffers' worth of rows.
      for (let round = 0; round < 40 || (writing && acknowledged < 1_000); round++) {
        const before = acknowledged;
        const { rows } = await queryRows(rest, "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM race");
        const after = acknowledged;
        const { n, ids } = rows[0] as { n: number; ids: number };
        assert.equal(n, ids, "no row counted twice");
        assert.ok(n >= before && n <= after + 50, `count ${n} outside [${before}, ${after + 50}]`);
      }
    } finally {
      writing = false;
      await writer;
    }
    const fileCount = async () =>
      (await requestJson<{ table_info: { stats: { file_count: number } } }>(`${rest}/v1/tables/race`)).body
        .table_info.stats.file_count;
    // Flushes run in the background: give those started during the queries time to commit.
    for (let attempt = 0; attempt < 50 && (await fileCount()) < 3; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok((await fileCount()) >= 3, "flushes happened during the queries");
    assert.deepEqual((await queryRows(rest, "SELECT count(*) AS n FROM race")).rows, [{ n: acknowledged }]);
  });
});
