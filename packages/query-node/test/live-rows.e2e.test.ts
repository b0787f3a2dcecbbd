import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { queryRows, userRows, writeUsers, type UserRow } from "./support/query-fixtures.js";
import { requestJson } from "./support/rest.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

interface LiveRowsStatus {
  readonly tables: number;
  readonly builds: number;
  readonly failed_builds: number;
  readonly reads: number;
}

/**
 * Scans after updates and deletes of flushed rows read the touched files' live rows from a local
 * table once it is built; before, during and after every rebuild the answers are the same as the
 * tombstone join's.
 */
describe("live-row tables", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "miniodb-live-rows-"));
  const start = () => spawnNode([], { MINIODB_NODE__DATA_DIR: dataDir });
  let node: SpawnedNode;
  let rest = "";
  const expected = new Map<string, UserRow["payload"]>(userRows(2000).map((row) => [row.id, row.payload]));

  const liveRows = async () =>
    (await requestJson<{ cache_stats: { live_rows: LiveRowsStatus } }>(`${rest}/v1/status`)).body.cache_stats
      .live_rows;
  const waitForBuilds = async (builds: number) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await liveRows();
      assert.equal(status.failed_builds, 0);
      if (status.builds >= builds) return status;
      assert.ok(Date.now() < deadline, `no live-row table build ${builds} within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /** Every row, and aggregates over all of them, against what the writes and mutations left. */
  const assertAnswers = async () => {
    const rows = (await queryRows(rest, "SELECT id, age FROM users ORDER BY id")).rows;
    const want = [...expected]
      .map(([id, payload]) => ({ id, age: payload.age }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(rows, want);
    const sum = [...expected.values()].reduce((total, payload) => total + payload.age, 0);
    assert.deepEqual((await queryRows(rest, "SELECT count(*) AS n, sum(age) AS s FROM users")).rows, [
      { n: expected.size, s: sum },
    ]);
  };
  const update = async (id: string, age: number) => {
    const payload = { ...expected.get(id)!, age };
    const response = await requestJson(`${rest}/v1/data`, {
      method: "PUT",
      body: { table: "users", id, payload },
    });
    assert.equal(response.status, 200);
    expected.set(id, payload);
  };

  before(async () => {
    node = await start();
    rest = `http://127.0.0.1:${node.ports.rest}`;
    await requestJson(`${rest}/v1/tables`, {
      body: { table_name: "users", config: { buffer_size: 100_000 } },
    });
    await writeUsers(rest, "users", userRows(2000));
    // The restart flushes every row to Parquet.
    await node.stop();
    node = await start();
    rest = `http://127.0.0.1:${node.ports.rest}`;
  });
  after(() => node?.stop());

  it("answers alike before and after the table of updated files' live rows is built", async () => {
    await update("u-1", 99);
    await update("u-1", 98);
    const hard = await requestJson<{ deleted_count: number }>(`${rest}/v1/data`, {
      method: "DELETE",
      body: { table: "users", ids: ["u-2", "u-1500"], soft_delete: false },
    });
    assert.equal(hard.body.deleted_count, 2);
    expected.delete("u-2");
    expected.delete("u-1500");
    // The first query takes the tombstone join and queues the build.
    await assertAnswers();
    const built = await waitForBuilds(1);
    assert.equal(built.tables, 1);
    await assertAnswers();
    assert.ok((await liveRows()).reads > built.reads, "the queries read the live-row table");
  });

  it("shows a newer update at once, and rebuilds the table to include it", async () => {
    const { builds } = await liveRows();
    await update("u-10", 5);
    await assertAnswers();
    await waitForBuilds(builds + 1);
    const before = (await liveRows()).reads;
    await assertAnswers();
    assert.ok((await liveRows()).reads > before);
  });

  it("shows a restored record at once, and rebuilds the table without its tombstone", async () => {
    const before = (await liveRows()).builds;
    const soft = await requestJson<{ deleted_count: number }>(`${rest}/v1/data`, {
      method: "DELETE",
      body: { table: "users", id: "u-20", soft_delete: true },
    });
    assert.equal(soft.body.deleted_count, 1);
    const removed = expected.get("u-20")!;
    expected.delete("u-20");
    await assertAnswers();
    const { builds } = await waitForBuilds(before + 1);
    const restored = await requestJson<{ restored_count: number }>(`${rest}/v1/data/restore`, {
      body: { table: "users", id: "u-20" },
    });
    assert.equal(restored.body.restored_count, 1);
    expected.set("u-20", removed);
    await assertAnswers();
    await waitForBuilds(builds + 1);
    await assertAnswers();
  });

  it("reads the files again after compaction rewrote them, and the answers stay", async () => {
    const compacted = await requestJson<{ job: { state: string } }>(`${rest}/v1/compaction`, {
      body: { table: "users" },
    });
    assert.equal(compacted.body.job.state, "succeeded", JSON.stringify(compacted.body));
    await assertAnswers();
  });
});
