import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { redisTestSkip, startRedisServer, type RedisServerProcess } from "@miniodb/metadata/testing";
import { S3ObjectStore } from "@miniodb/storage";
import { S3rverProcess } from "@miniodb/storage/testing";
import { backendEnv } from "./support/backend-env.js";
import { queryRows, userRows, writeUsers } from "./support/query-fixtures.js";
import { sampleSum, scrape } from "./support/prometheus-scrape.js";
import { requestJson } from "./support/rest.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

interface RestoreBody {
  success: boolean;
  message: string;
  backup_file: string;
  entries_total: number;
  entries_ok: number;
  entries_skipped: number;
  entries_error: number;
  errors: string[];
}

/**
 * Metadata backups to the backup pool and restores from them, on real Redis and two real S3
 * servers: losing every Redis key (FLUSHALL) is recovered from the latest backup.
 */
describe(
  "metadata backup and restore on Redis and S3",
  { skip: redisTestSkip(Boolean(process.env["CI"])) },
  () => {
    let redis: RedisServerProcess;
    let primary: S3rverProcess;
    let backup: S3rverProcess;
    let node: SpawnedNode;
    const dataDir = mkdtempSync(join(tmpdir(), "miniodb-backup-node-"));
    const rest = () => `http://127.0.0.1:${node.ports.rest}`;
    const restore = (body: Record<string, unknown>) =>
      requestJson<RestoreBody>(`${rest()}/v1/metadata/restore`, { body });
    const count = async (table: string) =>
      (await queryRows(rest(), `SELECT count(*) AS n FROM ${table}`)).rows[0]?.["n"];

    const start = async () => {
      node = await spawnNode([], {
        MINIODB_NODE__DATA_DIR: dataDir,
        MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100",
        MINIODB_LIFECYCLE__INTERVAL_SECONDS: "0",
        ...backendEnv({ primary, backup, redisPort: redis.port }),
      });
    };
    before(async () => {
      [redis, primary, backup] = await Promise.all([
        startRedisServer(),
        S3rverProcess.start(),
        S3rverProcess.start(),
      ]);
      await start();
    });
    after(async () => {
      await node?.stop();
      await Promise.all([redis?.stop(), primary?.dispose(), backup?.dispose()]);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("takes a backup into the backup pool, lists it and reports it in the status", async () => {
      await requestJson(`${rest()}/v1/tables`, {
        body: { table_name: "users", config: { buffer_size: 500 } },
      });
      await requestJson(`${rest()}/v1/tables`, {
        body: { table_name: "orders", config: { buffer_size: 10 } },
      });
      await writeUsers(rest(), "users", userRows(2_000));
      await writeUsers(rest(), "orders", userRows(30));
      // A restart flushes every buffered row: the backup then holds them all.
      assert.equal(await node.stop(), 0);
      await start();
      await requestJson(`${rest()}/v1/data`, { method: "DELETE", body: { table: "users", id: "u-7" } });
      const taken = await requestJson<{ success: boolean; backup_id: string }>(
        `${rest()}/v1/metadata/backup`,
        {
          body: { force: true },
        },
      );
      assert.equal(taken.status, 200, JSON.stringify(taken.body));
      assert.match(taken.body.backup_id, /^backup_\d{8}_\d{6}_\d{3}$/);
      const listed = await requestJson<{
        backups: Array<{ object_name: string; node_id: string }>;
        total: number;
      }>(`${rest()}/v1/metadata/backups?days=7`);
      assert.equal(listed.body.total, 1);
      assert.equal(listed.body.backups[0]!.object_name, `${taken.body.backup_id}.json`);
      const status = await requestJson<{
        last_backup: string;
        health_status: string;
        backup_status: Record<string, string>;
      }>(`${rest()}/v1/metadata/status`);
      assert.equal(status.body.health_status, "healthy");
      assert.equal(status.body.backup_status["store"], "backup");
      assert.ok(status.body.last_backup);
      const metrics = await scrape(`${rest()}/metrics`);
      assert.equal(sampleSum(metrics, "miniodb_backup_operations_total", { status: "success" }), 1);
      assert.equal(sampleSum(metrics, "miniodb_backup_duration_seconds", { type: "full" }), 1);
    });

    it("reports a dry run without changing anything and refuses bad requests", async () => {
      const dry = await restore({ from_latest: true, dry_run: true, validate: true });
      assert.equal(dry.status, 200, JSON.stringify(dry.body));
      // 2 tables x 4 keys, all present already (a backup holds the records of earlier backups only).
      assert.deepEqual([dry.body.entries_total, dry.body.entries_ok, dry.body.entries_skipped], [8, 0, 8]);
      const overwrite = await restore({
        from_latest: true,
        dry_run: true,
        overwrite: true,
        filters: { table_pattern: "user*" },
      });
      assert.deepEqual([overwrite.body.entries_total, overwrite.body.entries_ok], [4, 4]);
      assert.equal((await restore({ backup_file: "backup_19990101_000000_000.json" })).status, 404);
      assert.equal((await restore({})).status, 400);
      assert.equal(
        (await restore({ from_latest: true, filters: { table_pattern: "nothing*" } })).status,
        404,
      );
      assert.equal((await restore({ from_latest: true, filters: { colour: "red" } })).status, 400);
      assert.equal((await restore({ from_latest: true, key_patterns: ["index:*"] })).status, 404);
      assert.equal(await count("users"), 1_999);
    });

    it("reports a corrupt backup file when validating and restores nothing from it", async () => {
      const store = await S3ObjectStore.create({
        endpoint: backup.endpoint,
        bucket: "miniodb-backup",
        accessKeyId: "S3RVER",
        secretAccessKey: "S3RVER",
        region: "us-east-1",
        forcePathStyle: true,
      });
      try {
        await store.put(
          "backups/metadata/backup_20000101_000000_000.json",
          Buffer.from('{"format":"miniodb-'),
        );
      } finally {
        await store.close();
      }
      const checked = await restore({
        backup_file: "backup_20000101_000000_000.json",
        validate: true,
        dry_run: true,
      });
      assert.equal(checked.status, 200);
      assert.equal(checked.body.success, false);
      assert.match(checked.body.errors[0]!, /damaged/);
      const plain = await restore({ backup_file: "backup_20000101_000000_000.json", overwrite: true });
      assert.equal(plain.status, 500);
      assert.equal(await count("users"), 1_999);
    });

    it("brings every table and row back after Redis loses every key", async () => {
      const flushed = spawnSync("redis-cli", ["-p", String(redis.port), "FLUSHALL"], { encoding: "utf8" });
      assert.equal(flushed.stdout.trim(), "OK");
      const gone = await requestJson(`${rest()}/v1/query`, { body: { sql: "SELECT 1 FROM users" } });
      assert.ok(gone.status >= 400, "the table is gone");
      const restored = await restore({ from_latest: true, validate: true, parallel: true });
      assert.equal(restored.status, 200, JSON.stringify(restored.body));
      assert.deepEqual(
        [
          restored.body.success,
          restored.body.entries_total,
          restored.body.entries_ok,
          restored.body.entries_error,
        ],
        [true, 8, 8, 0],
      );
      assert.equal(await count("users"), 1_999);
      assert.equal(await count("orders"), 30);
      assert.deepEqual((await queryRows(rest(), "SELECT id FROM users WHERE id = 'u-7'")).rows, []);
      // Writes go on into the restored tables.
      await writeUsers(rest(), "users", userRows(5, 10_000));
      assert.equal(await count("users"), 2_004);
    });

    it("restores records deleted by mistake by id from the backup pool, and by time into another table", async () => {
      const ids = Array.from({ length: 10 }, (_, i) => `u-${100 + i}`);
      const removed = await requestJson<{ deleted_count: number }>(`${rest()}/v1/data`, {
        method: "DELETE",
        body: { table: "users", ids },
      });
      assert.equal(removed.body.deleted_count, 10);
      // Compaction purges them from the data files; the backup still names the older files.
      const compacted = await requestJson<{ job: { state: string } }>(`${rest()}/v1/compaction`, {
        body: { table: "users" },
      });
      assert.equal(compacted.body.job.state, "succeeded");
      assert.equal(await count("users"), 1_994);
      const restoreData = (body: Record<string, unknown>) =>
        requestJson<Record<string, number | string | boolean>>(`${rest()}/v1/restore/data`, { body });
      const dry = await restoreData({ table: "users", ids: [...ids, "u-7"], dry_run: true });
      assert.equal(dry.status, 200, JSON.stringify(dry.body));
      // u-7 was already deleted when the backup was taken: it stays deleted.
      assert.deepEqual([dry.body["records_matched"], dry.body["records_restored"]], [10, 0]);
      assert.equal(await count("users"), 1_994);
      const done = await restoreData({ table: "users", ids: [...ids, "u-7"] });
      assert.deepEqual([done.body["records_matched"], done.body["records_restored"]], [10, 10]);
      assert.equal(await count("users"), 2_004);
      const again = await restoreData({ table: "users", ids });
      assert.deepEqual([again.body["records_restored"], again.body["records_skipped"]], [0, 10]);
      const original = userRows(2_000).slice(100, 110);
      const list = ids.map((id) => `'${id}'`).join(", ");
      const rows = await queryRows(
        rest(),
        `SELECT id, name, age, active FROM users WHERE id IN (${list}) ORDER BY id`,
      );
      assert.deepEqual(
        rows.rows,
        original
          .map((row) => ({
            id: row.id,
            name: row.payload.name,
            age: row.payload.age,
            active: row.payload.active,
          }))
          .sort((a, b) => (a.id < b.id ? -1 : 1)),
      );
      const start = new Date(Math.floor(original[0]!.timestampMicros / 1000)).toISOString();
      const end = new Date(Math.floor(original[9]!.timestampMicros / 1000) + 1).toISOString();
      const copy = await restoreData({
        table: "users",
        target_table: "users_copy",
        start_time: start,
        end_time: end,
        async: true,
      });
      assert.equal(copy.status, 202);
      for (let attempt = 0; ; attempt++) {
        const job = await requestJson<{ job: { state: string; result: Record<string, number> } }>(
          `${rest()}/v1/jobs/${String(copy.body["job_id"])}`,
        );
        if (job.body.job.state === "succeeded") {
          assert.equal(job.body.job.result["records_restored"], 10);
          break;
        }
        assert.ok(attempt < 100 && job.body.job.state === "running", JSON.stringify(job.body));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(await count("users_copy"), 10);
      assert.equal((await restoreData({ table: "nope", ids })).status, 404);
      assert.equal((await restoreData({ table: "users", start_time: end, end_time: start })).status, 400);
    });

    it("keeps serving after the primary pool loses its objects and copies them back on repair", async () => {
      const store = await S3ObjectStore.create({
        endpoint: primary.endpoint,
        bucket: "miniodb",
        accessKeyId: "S3RVER",
        secretAccessKey: "S3RVER",
        region: "us-east-1",
        forcePathStyle: true,
      });
      try {
        const lost: string[] = [];
        for await (const object of store.list("data/users/")) lost.push(object.key);
        assert.ok(lost.length > 0);
        for (const key of lost) await store.delete(key);
        // Restarted with an empty file cache, so every file is read from the pools again.
        assert.equal(await node.stop(), 0);
        rmSync(join(dataDir, "cache"), { recursive: true, force: true });
        await start();
        assert.equal(await count("users"), 2_004);
        const repaired = await requestJson<{ job: { state: string; result: Record<string, number> } }>(
          `${rest()}/v1/storage/repair`,
          { body: {} },
        );
        assert.equal(repaired.status, 200, JSON.stringify(repaired.body));
        assert.equal(repaired.body.job.result["objects_missing"], 0);
        assert.ok(repaired.body.job.result["objects_copied"]! >= 1);
        const back: string[] = [];
        for await (const object of store.list("data/users/")) back.push(object.key);
        const listed = (
          await requestJson<{ table_info: { stats: { file_count: number } } }>(`${rest()}/v1/tables/users`)
        ).body.table_info.stats.file_count;
        assert.ok(back.length >= listed, `${back.length} objects on the primary for ${listed} files`);
      } finally {
        await store.close();
      }
    });

    it("keeps rows acknowledged before Redis loses every key, across a restart, and flushes them into the restored table", async () => {
      const health = async () =>
        (
          await requestJson<{
            status: string;
            components: Record<string, { status: string; detail: string }>;
          }>(`${rest()}/v1/health`)
        ).body;
      const stats = async () =>
        (
          await requestJson<{ table_info: { stats: { file_count: number; record_count: number } } }>(
            `${rest()}/v1/tables/events`,
          )
        ).body.table_info.stats;
      const waitFor = async (what: string, done: () => Promise<boolean>) => {
        for (let attempt = 0; !(await done()); attempt++) {
          assert.ok(attempt < 300, `timed out waiting for ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      const created = await requestJson(`${rest()}/v1/tables`, {
        body: { table_name: "events", config: { buffer_size: 100_000, flush_interval_seconds: 3 } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await writeUsers(rest(), "events", userRows(200));
      await waitFor("the first rows to be flushed", async () => (await stats()).file_count > 0);
      const taken = await requestJson(`${rest()}/v1/metadata/backup`, { body: { force: true } });
      assert.equal(taken.status, 200, JSON.stringify(taken.body));
      // Acknowledged after the backup and still buffered (3 s flush interval) when Redis is wiped.
      await writeUsers(rest(), "events", userRows(300, 5_000));
      const extra = await requestJson(`${rest()}/v1/data/batch`, {
        body: { table: "events", records: [{ id: "late", payload: { added: "a column the backup lacks" } }] },
      });
      assert.equal(extra.status, 200, JSON.stringify(extra.body));
      const flushed = spawnSync("redis-cli", ["-p", String(redis.port), "FLUSHALL"], { encoding: "utf8" });
      assert.equal(flushed.stdout.trim(), "OK");
      // The worker's flush finds the table missing: it keeps the rows and reports them.
      await waitFor("the parked rows to show in the health", async () => {
        const body = await health();
        return body.status === "degraded" && body.components["buffers"]?.status === "down";
      });
      assert.match((await health()).components["buffers"]!.detail, /events \(301 rows\)/);
      // Across a restart too: the WAL still holds them.
      assert.equal(await node.stop(), 0);
      await start();
      // Replay parks whatever the WAL still holds (also rows the backup's manifest already lists).
      assert.match((await health()).components["buffers"]!.detail, /events \(\d+ rows\)/);
      const restored = await restore({ from_latest: true, validate: true });
      assert.equal(restored.status, 200, JSON.stringify(restored.body));
      assert.equal(restored.body.success, true, JSON.stringify(restored.body));
      await waitFor("the parked rows to be flushed", async () => (await stats()).record_count === 501);
      assert.equal(await count("events"), 501);
      assert.deepEqual((await queryRows(rest(), "SELECT added FROM events WHERE id = 'late'")).rows, [
        { added: "a column the backup lacks" },
      ]);
      assert.equal((await health()).components["buffers"]!.status, "ok");
    });
  },
);
