import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { redisTestSkip, startRedisServer, type RedisServerProcess } from "@miniodb/metadata/testing";
import { S3rverProcess } from "@miniodb/storage/testing";
import { queryRows, userRows, writeUsers } from "./support/query-fixtures.js";
import { requestJson } from "./support/rest.js";
import { backendEnv } from "./support/backend-env.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

/**
 * A node on real Redis (metadata) and two real S3 servers (primary and backup pools), configured
 * only through the original deployment's variables, surviving a Redis stall and the loss of the
 * primary pool.
 */
describe(
  "a node on Redis and S3 with a backup pool",
  { skip: redisTestSkip(Boolean(process.env["CI"])) },
  () => {
    let redis: RedisServerProcess;
    let primary: S3rverProcess;
    let backup: S3rverProcess;
    let node: SpawnedNode | undefined;
    let expected = 0;
    const dataDir = mkdtempSync(join(tmpdir(), "miniodb-redis-s3-node-"));
    const env = () => ({
      MINIODB_NODE__DATA_DIR: dataDir,
      MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100",
      MINIODB_METADATA__REDIS__COMMAND_TIMEOUT_MS: "1000",
      ...backendEnv({ primary, backup, redisPort: redis.port }),
    });
    const rest = () => `http://127.0.0.1:${node!.ports.rest}`;
    const count = async () =>
      (await queryRows(rest(), "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM users")).rows;
    before(async () => {
      [redis, primary, backup] = await Promise.all([
        startRedisServer(),
        S3rverProcess.start(),
        S3rverProcess.start(),
      ]);
    });
    after(async () => {
      if (redis) process.kill(redis.pid, "SIGCONT");
      await node?.stop();
      await Promise.all([redis?.stop(), primary?.dispose(), backup?.dispose()]);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("keeps tables, manifests and rows in Redis and S3 across a restart", async () => {
      node = await spawnNode([], env());
      const listening = node.logs.find((line) => line["msg"] === "listening");
      assert.equal(listening?.["metadata"], "redis-standalone");
      assert.equal(listening?.["storage"], "s3+backup");
      await requestJson(`${rest()}/v1/tables`, {
        body: { table_name: "users", config: { buffer_size: 700 } },
      });
      await writeUsers(rest(), "users", userRows(3_000));
      expected = 3_000;
      assert.deepEqual(await count(), [{ n: expected, ids: expected }]);
      assert.equal(await node.stop(), 0);
      node = await spawnNode([], env());
      assert.deepEqual(await count(), [{ n: expected, ids: expected }]);
    });

    it("answers unavailable while Redis stalls, loses no acknowledged write, and recovers", async () => {
      process.kill(redis.pid, "SIGSTOP");
      try {
        const started = Date.now();
        const query = await requestJson<{ error: { code: string } }>(`${rest()}/v1/query`, {
          body: { sql: "SELECT count(*) FROM users" },
        });
        assert.equal(query.status, 503, JSON.stringify(query.body));
        assert.equal(query.body.error.code, "unavailable");
        assert.ok(Date.now() - started < 10_000, "fails fast");
        // A write may still be acknowledged (its table is known and its rows are durable in the WAL)
        // or refused with unavailable; either way nothing acknowledged may be lost.
        const write = await requestJson(`${rest()}/v1/data/batch`, {
          body: { table: "users", records: userRows(10, 50_000).map(({ id, payload }) => ({ id, payload })) },
        });
        assert.ok([200, 503].includes(write.status), `write answered ${write.status}`);
        if (write.status === 200) expected += 10;
        assert.equal((await requestJson(`${rest()}/v1/health`)).status, 503);
      } finally {
        process.kill(redis.pid, "SIGCONT");
      }
      for (let attempt = 0; (await requestJson(`${rest()}/v1/health`)).status !== 200; attempt++) {
        assert.ok(attempt < 50, "healthy again after Redis returns");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.deepEqual(await count(), [{ n: expected, ids: expected }]);
    });

    it("serves every row from the backup pool after the primary is lost with its data", async () => {
      assert.equal(await node!.stop(), 0);
      node = undefined;
      await primary.kill();
      rmSync(primary.directory, { recursive: true, force: true });
      node = await spawnNode([], env());
      assert.deepEqual(await count(), [{ n: expected, ids: expected }]);
    });
  },
);
