/**
 * Loads rows into a node on real Redis and two S3 servers (s3rver: primary and backup pools),
 * then checks that every row is answered after a restart, and again after a restart with the
 * primary pool gone, its data directory deleted (served from the backup):
 *
 *   npm run recovery -w @miniodb/bench -- [--rows 1000000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startRedisServer } from "@miniodb/metadata/testing";
import { S3rverProcess } from "@miniodb/storage/testing";
import { startNode } from "./node-process.js";
import { loadRows } from "./query-load.js";

const { values } = parseArgs({ options: { rows: { type: "string", default: "1000000" } } });
const rows = Number(values.rows);
const [redis, primary, backup] = await Promise.all([
  startRedisServer(),
  S3rverProcess.start(),
  S3rverProcess.start(),
]);
const dataDir = mkdtempSync(join(tmpdir(), "miniodb-recovery-"));
const env = {
  MINIODB_NODE__DATA_DIR: dataDir,
  REDIS_HOST: "127.0.0.1",
  REDIS_PORT: String(redis.port),
  MINIO_ENDPOINT: primary.endpoint,
  MINIO_ACCESS_KEY_ID: "S3RVER",
  MINIO_SECRET_ACCESS_KEY: "S3RVER",
  MINIO_BACKUP_ENDPOINT: backup.endpoint,
  MINIO_BACKUP_ACCESS_KEY_ID: "S3RVER",
  MINIO_BACKUP_SECRET_ACCESS_KEY: "S3RVER",
  MINIO_BACKUP_BUCKET: "miniodb-backup",
};

async function countRows(rest: string): Promise<string> {
  const response = await fetch(`${rest}/v1/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql: "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM recovery" }),
  });
  return ((await response.json()) as { result_json: string }).result_json;
}

try {
  let node = await startNode(env);
  let rest = `http://127.0.0.1:${node.ports.rest}`;
  await fetch(`${rest}/v1/tables`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ table_name: "recovery" }),
  });
  const seconds = await loadRows(rest, "recovery", rows);
  console.log(`loaded ${rows} rows in ${seconds.toFixed(1)} s: ${await countRows(rest)}`);
  await node.stop();
  node = await startNode(env);
  rest = `http://127.0.0.1:${node.ports.rest}`;
  console.log(`after a restart: ${await countRows(rest)}`);
  await node.stop();
  await primary.kill();
  rmSync(primary.directory, { recursive: true, force: true });
  node = await startNode(env);
  rest = `http://127.0.0.1:${node.ports.rest}`;
  console.log(`after a restart with the primary pool gone (its directory deleted): ${await countRows(rest)}`);
  await node.stop();
} finally {
  await Promise.all([redis.stop(), primary.dispose(), backup.dispose()]);
  rmSync(dataDir, { recursive: true, force: true });
}
