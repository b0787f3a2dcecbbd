import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { requestJson } from "./support/rest.js";
import { spawnNode } from "./support/spawn-node.js";

/** Every id in the table's Parquet files under the node's data directory. */
async function idsInParquet(dataDir: string, table: string): Promise<string[]> {
  const root = join(dataDir, "objects", "data", table);
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((file) =>
    file.endsWith(".parquet"),
  );
  if (files.length === 0) return [];
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const list = files.map((file) => `'${join(root, file)}'`).join(", ");
    const reader = await connection.runAndReadAll(
      `SELECT id FROM read_parquet([${list}], union_by_name = true)`,
    );
    return reader.getRowObjectsJS().map((row) => String(row["id"]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("durability", () => {
  it("keeps every acknowledged record exactly once across kill -9 and restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "miniodb-crash-"));
    const env = { MINIODB_NODE__DATA_DIR: dataDir, MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100" };
    const node = await spawnNode([], env);
    const rest = `http://127.0.0.1:${node.ports.rest}`;
    await requestJson(`${rest}/v1/tables`, {
      body: { table_name: "crash", config: { buffer_size: 700, flush_interval_seconds: 1 } },
    });
    const acknowledged = new Set<string>();
    let sent = 0;
    let killed = false;
    const writer = async (name: string) => {
      for (let batch = 0; !killed; batch++) {
        const records = Array.from({ length: 100 }, (_, i) => ({
          id: `${name}-${batch}-${i}`,
          payload: { batch, i, writer: name },
        }));
        sent += records.length;
        try {
          const response = await requestJson(`${rest}/v1/data/batch`, { body: { table: "crash", records } });
          if (response.status === 200 && response.body["records_count"] === 100)
            for (const record of records) acknowledged.add(record.id);
        } catch {
          return; // the node died mid-request: that batch was not acknowledged
        }
      }
    };
    const writers = ["w1", "w2", "w3", "w4"].map(writer);
    // Killed once a thousand records (several buffers, so flushes too) were acknowledged, at least
    // 2.5 s in: on a loaded machine a fixed time may come before that.
    const deadline = Date.now() + 120_000;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    while (acknowledged.size < 1_000 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await node.stop("SIGKILL"), null);
    killed = true;
    await Promise.all(writers);
    assert.ok(
      acknowledged.size >= 1_000,
      `only ${acknowledged.size} records were acknowledged before the kill`,
    );

    const restarted = await spawnNode([], env);
    const info = await requestJson<{ table_info: { stats: { record_count: number } } }>(
      `http://127.0.0.1:${restarted.ports.rest}/v1/tables/crash`,
    );
    const count = info.body.table_info.stats.record_count;
    assert.ok(
      count >= acknowledged.size && count <= sent,
      `count ${count}, acknowledged ${acknowledged.size}, sent ${sent}`,
    );
    assert.equal(await restarted.stop("SIGTERM"), 0); // a clean stop flushes everything

    const ids = await idsInParquet(dataDir, "crash");
    assert.equal(new Set(ids).size, ids.length, "some record was stored twice");
    assert.equal(ids.length, count);
    const stored = new Set(ids);
    const missing = [...acknowledged].filter((id) => !stored.has(id));
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} acknowledged records are missing`);
  });
});
