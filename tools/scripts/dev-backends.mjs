#!/usr/bin/env node
/**
 * Local backends for manual runs: one redis-server and two s3rver instances (primary and backup
 * pools), in a temporary directory, on the ports below. Prints the variables that point a node
 * at them; Ctrl-C stops everything and removes the data.
 *
 *   node tools/scripts/dev-backends.mjs [--redis-port 6390] [--s3-port 9000] [--backup-port 9001]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    "redis-port": { type: "string", default: "6390" },
    "s3-port": { type: "string", default: "9000" },
    "backup-port": { type: "string", default: "9001" },
  },
});
const root = mkdtempSync(join(tmpdir(), "miniodb-dev-backends-"));
const require = createRequire(import.meta.url);
const s3rver = join(dirname(require.resolve("s3rver/package.json")), "bin", "s3rver.js");
const children = [];

function start(name, command, args) {
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "inherit"] });
  child.once("exit", (code, signal) => {
    if (!stopping) console.error(`${name} exited (${code ?? signal}); stopping the others`);
    stop(1);
  });
  child.once("error", (error) => {
    console.error(`${name} could not start: ${error.message}`);
    stop(1);
  });
  children.push(child);
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => {
    rmSync(root, { recursive: true, force: true });
    process.exit(code);
  }, 500);
}
process.on("SIGINT", () => stop());
process.on("SIGTERM", () => stop());

const redisDir = join(root, "redis");
const primaryDir = join(root, "s3-primary");
const backupDir = join(root, "s3-backup");
for (const dir of [redisDir, primaryDir, backupDir]) rmSync(dir, { recursive: true, force: true });
start("redis-server", "redis-server", [
  "--port",
  values["redis-port"],
  "--bind",
  "127.0.0.1",
  "--save",
  "",
  "--appendonly",
  "no",
  "--dir",
  root,
]);
for (const [name, port, dir] of [
  ["s3rver (primary)", values["s3-port"], primaryDir],
  ["s3rver (backup)", values["backup-port"], backupDir],
]) {
  start(name, process.execPath, [
    "--openssl-legacy-provider",
    s3rver,
    "-d",
    dir,
    "-a",
    "127.0.0.1",
    "-p",
    port,
    "--silent",
  ]);
}

console.log(`Backends running (data in ${root}); Ctrl-C stops them. Point a node at them with:

  export REDIS_HOST=127.0.0.1 REDIS_PORT=${values["redis-port"]}
  export MINIO_ENDPOINT=http://127.0.0.1:${values["s3-port"]} MINIO_ACCESS_KEY_ID=S3RVER MINIO_SECRET_ACCESS_KEY=S3RVER MINIO_BUCKET=miniodb
  export MINIO_BACKUP_ENDPOINT=http://127.0.0.1:${values["backup-port"]} MINIO_BACKUP_ACCESS_KEY_ID=S3RVER MINIO_BACKUP_SECRET_ACCESS_KEY=S3RVER MINIO_BACKUP_BUCKET=miniodb-backup
  npm start
`);
