import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { S3rverProcess } from "@miniodb/storage/testing";
import { queryRows, userRows, waitForFiles, writeUsers } from "./support/query-fixtures.js";
import { requestJson } from "./support/rest.js";
import { backendEnv } from "./support/backend-env.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

/**
 * A node on two real S3 servers (s3rver) as primary and backup pools, configured only through the
 * original deployment's variables (MINIO_*, MINIO_BACKUP_*).
 */
describe("a node on S3 storage with a backup pool", () => {
  let primary: S3rverProcess;
  let backup: S3rverProcess;
  let node: SpawnedNode | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "miniodb-s3-node-"));
  const env = () => ({
    MINIODB_NODE__DATA_DIR: dataDir,
    MINIODB_WORKER__FLUSH_CHECK_INTERVAL_MS: "100",
    ...backendEnv({ primary, backup }),
  });
  const rest = () => `http://127.0.0.1:${node!.ports.rest}`;
  const count = async () =>
    (await queryRows(rest(), "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM users")).rows;
  before(async () => {
    [primary, backup] = await Promise.all([S3rverProcess.start(), S3rverProcess.start()]);
  });
  after(async () => {
    await node?.stop();
    await Promise.all([primary?.dispose(), backup?.dispose()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("stores flushed data in the primary pool and answers queries from it", async () => {
    node = await spawnNode([], env());
    assert.equal(node.logs.find((line) => line["msg"] === "listening")?.["storage"], "s3+backup");
    await requestJson(`${rest()}/v1/tables`, { body: { table_name: "users", config: { buffer_size: 500 } } });
    await writeUsers(rest(), "users", userRows(3_000));
    assert.deepEqual(await count(), [{ n: 3_000, ids: 3_000 }]);
    await waitForFiles(rest(), "users");
  });

  it("keeps everything across a restart", async () => {
    assert.equal(await node!.stop(), 0);
    node = await spawnNode([], env());
    assert.deepEqual(await count(), [{ n: 3_000, ids: 3_000 }]);
    assert.equal(await node.stop(), 0);
    node = undefined;
  });

  it("serves every row from the backup pool once the primary is gone with its data", async () => {
    await primary.kill();
    rmSync(primary.directory, { recursive: true, force: true });
    node = await spawnNode([], env());
    assert.deepEqual(await count(), [{ n: 3_000, ids: 3_000 }]);
    // Still serving from the backup pool: degraded (200), with the primary named as down.
    const health = await requestJson<{ status: string; details: Record<string, string> }>(
      `${rest()}/v1/health`,
    );
    assert.equal(health.status, 200);
    assert.equal(health.body.status, "degraded");
    assert.notEqual(health.body.details["storage.primary"], "ok");
    assert.equal(health.body.details["storage.backup"], "ok");
  });
});
