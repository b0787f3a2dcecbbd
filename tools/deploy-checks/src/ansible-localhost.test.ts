import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stringify } from "yaml";
import { freeRedisPort } from "@miniodb/metadata/testing";
import { S3rverProcess } from "@miniodb/storage/testing";
import { ANSIBLE_DIR, ansibleTestSkip, killAnsibleRuns, playRecap, runAnsible } from "./ansible-run.js";
import { REPO_ROOT } from "./config-keys.js";
import { freePort } from "./free-port.js";
import { PidFileDaemons } from "./pid-file-daemons.js";

const BUILT_BIN = join(REPO_ROOT, "packages/query-node/dist/bin/miniodb.js");
const skip = ansibleTestSkip();
/**
 * One playbook run takes about 45 s on an idle 2-core machine and 100 s while the other packages'
 * end-to-end tests share it: each of the two runs may take 8 minutes before it counts as failed
 * (this package's tests run with a 20-minute budget per file, see package.json).
 */
const RUN_BUDGET_MS = 480_000;

/**
 * A cluster (Redis from the redis role, two worker nodes one at a time, then a query node)
 * deployed on this machine into a temporary prefix without systemd, on local S3 servers as the
 * primary and backup pools. Whatever the playbook got to start is stopped at the end by its pid
 * files, also when a run failed or timed out, and when the test process is terminated (the test
 * runner's timeout sends SIGTERM, and after hooks do not run then).
 */
describe("Ansible rollout on localhost", { skip }, () => {
  const prefix = mkdtempSync(join(tmpdir(), "miniodb-ansible-"));
  const inventory = join(prefix, "inventory.yml");
  let primary: S3rverProcess;
  let backup: S3rverProcess;
  let restPort = 0;
  let first = { code: 0, output: "" };
  const daemons = new PidFileDaemons(prefix, ["run/miniodb", "run/miniodb-redis"]);
  const runs = new AbortController();
  let deploying: Promise<unknown> = Promise.resolve();
  const onTerminate = (signal: NodeJS.Signals) => {
    killAnsibleRuns();
    daemons.killNow();
    rmSync(prefix, { recursive: true, force: true });
    // Exit hooks (the S3 servers' among them) still run.
    process.exit(signal === "SIGINT" ? 130 : 143);
  };

  before(async () => {
    process.once("SIGTERM", onTerminate);
    process.once("SIGINT", onTerminate);
    // Variables next to the playbook would outrank the inventory's `all: vars` (and so this
    // test's prefix): the shared defaults live in the miniodb_defaults role instead.
    for (const dir of ["group_vars", "host_vars"])
      assert.ok(!existsSync(join(ANSIBLE_DIR, dir)), `deploy/ansible/${dir}`);
    assert.ok(existsSync(BUILT_BIN), `${BUILT_BIN} is missing: the test target builds it first`);
    [primary, backup] = await Promise.all([S3rverProcess.start(), S3rverProcess.start()]);
    restPort = await freePort();
    const vars = {
      ansible_connection: "local",
      ansible_python_interpreter: "auto_silent",
      miniodb_become: false,
      miniodb_use_systemd: false,
      miniodb_manage_user: false,
      miniodb_prefix: prefix,
      miniodb_install_method: "bin",
      miniodb_bin: BUILT_BIN,
      miniodb_node_binary: process.execPath,
      miniodb_bind_host: "127.0.0.1",
      miniodb_advertise_host: "127.0.0.1",
      redis_install_package: false,
      redis_server_binary: execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim(),
      redis_bind: "127.0.0.1",
      redis_host: "127.0.0.1",
      redis_port: await freeRedisPort(),
      redis_password: "ansible-test",
      minio_primary_endpoint: primary.endpoint,
      minio_backup_endpoint: backup.endpoint,
      minio_access_key: "S3RVER",
      minio_secret_key: "S3RVER",
    };
    const document = {
      all: {
        vars,
        children: {
          redis: { hosts: { "redis-1": {} } },
          miniodb_workers: {
            hosts: {
              "worker-1": { miniodb_node_id: "worker-1", miniodb_cluster_port: await freePort() },
              "worker-2": { miniodb_node_id: "worker-2", miniodb_cluster_port: await freePort() },
            },
          },
          miniodb_query: {
            hosts: {
              "query-1": {
                miniodb_node_id: "query-1",
                miniodb_grpc_port: await freePort(),
                miniodb_rest_port: restPort,
              },
            },
          },
        },
      },
    };
    writeFileSync(inventory, stringify(document));
    const run = runAnsible("ansible-playbook", ["-i", inventory, "site.yml"], {
      signal: runs.signal,
      timeoutMs: RUN_BUDGET_MS,
    });
    deploying = run;
    first = await run;
  });

  after(async () => {
    try {
      // A run still going (its hook timed out) would start daemons after they were stopped.
      runs.abort();
      await deploying;
      await daemons.stop();
    } finally {
      process.off("SIGTERM", onTerminate);
      process.off("SIGINT", onTerminate);
      await Promise.all([primary?.dispose(), backup?.dispose()]);
      rmSync(prefix, { recursive: true, force: true });
    }
  });

  it("deploys Redis, two workers and a query node that serve writes and queries", async () => {
    assert.equal(first.code, 0, first.output);
    const recap = playRecap(first.output);
    for (const host of ["redis-1", "worker-1", "worker-2", "query-1"]) {
      assert.equal(recap[host]?.["failed"], 0, first.output);
      assert.ok((recap[host]?.["changed"] ?? 0) > 0, host);
    }
    const rest = `http://127.0.0.1:${restPort}`;
    const health = (await (await fetch(`${rest}/v1/health`)).json()) as {
      status: string;
      details: Record<string, string>;
    };
    assert.equal(health.status, "healthy");
    const write = await fetch(`${rest}/v1/data`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ table: "rollout", data: { id: "r-1", payload: { ok: true, n: 7 } } }),
    });
    assert.equal(write.status, 200, await write.text());
    const query = await fetch(`${rest}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql: "SELECT id, n FROM rollout" }),
    });
    const result = (await query.json()) as { result_json: string };
    assert.deepEqual(JSON.parse(result.result_json), [{ id: "r-1", n: 7 }]);
  });

  it("changes nothing on a second run", async () => {
    const second = runAnsible("ansible-playbook", ["-i", inventory, "site.yml"], {
      signal: runs.signal,
      timeoutMs: RUN_BUDGET_MS,
    });
    deploying = second;
    const { code, output } = await second;
    assert.equal(code, 0, output);
    for (const [host, counts] of Object.entries(playRecap(output))) {
      assert.equal(counts["changed"], 0, `${host} changed on the second run:\n${output}`);
    }
  });
});
