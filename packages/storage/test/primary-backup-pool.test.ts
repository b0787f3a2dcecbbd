import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PrimaryBackupPool } from "../src/pool/primary-backup-pool.js";
import type { PrimaryBackupPoolOptions } from "../src/pool/primary-backup-pool-options.js";
import { S3ObjectStore } from "../src/s3/s3-object-store.js";
import { describeObjectStoreContract } from "../src/testing/object-store-contract.js";
import { S3RVER_NOT_ATOMIC, s3rverOptions } from "./support/s3-test-store.js";
import { S3rverProcess } from "../src/testing/s3rver-process.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

/** Two real s3rver processes, primary and backup, and a pool over S3 stores on them. */
async function openPool(options: Partial<PrimaryBackupPoolOptions> = {}) {
  const [primaryServer, backupServer] = await Promise.all([S3rverProcess.start(), S3rverProcess.start()]);
  const primary = await S3ObjectStore.create(s3rverOptions(primaryServer));
  const backup = await S3ObjectStore.create(s3rverOptions(backupServer));
  const pool = new PrimaryBackupPool({
    primary,
    backup,
    probeIntervalMs: 100,
    replicationRetryDelayMs: 50,
    reconcileIntervalMs: 0,
    ...options,
  });
  // Independent clients to look at each server directly, as an operator would.
  const direct = {
    primary: await S3ObjectStore.create(s3rverOptions(primaryServer)),
    backup: await S3ObjectStore.create(s3rverOptions(backupServer)),
  };
  const dispose = async () => {
    await Promise.all([direct.primary.close(), direct.backup.close()]);
    await Promise.all([primaryServer.dispose(), backupServer.dispose()]);
  };
  return { pool, primaryServer, backupServer, direct, dispose };
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeObjectStoreContract("PrimaryBackupPool over two s3rvers", async () => {
  const { pool, dispose } = await openPool();
  return { store: pool, dispose, nonAtomicServer: S3RVER_NOT_ATOMIC };
});

describe("PrimaryBackupPool over two s3rvers", () => {
  let env: Awaited<ReturnType<typeof openPool>>;
  before(async () => {
    env = await openPool();
  });
  after(async () => {
    await env.pool.close();
    await env.dispose();
  });

  it("replicates writes and deletes to the backup and reports the lag until it is done", async () => {
    await env.pool.put("rep/a", bytes("alpha"));
    await env.pool.put("rep/b", bytes("beta"));
    await env.pool.delete("rep/b");
    await until(() => env.pool.status().replication.pendingObjects === 0);
    assert.equal(text(await env.direct.backup.get("rep/a")), "alpha");
    assert.equal(await env.direct.backup.head("rep/b"), undefined);
    assert.equal(env.pool.status().replication.oldestPendingAgeMs, 0);
  });

  it("reconciles: copies what the backup lacks or holds with another size", async () => {
    await env.direct.primary.put("rec/only-primary", bytes("p"));
    await env.direct.primary.put("rec/changed", bytes("new and longer"));
    await env.direct.backup.put("rec/changed", bytes("old"));
    assert.equal(await env.pool.reconcile(), 2);
    await until(() => env.pool.status().replication.pendingObjects === 0);
    assert.equal(text(await env.direct.backup.get("rec/only-primary")), "p");
    assert.equal(text(await env.direct.backup.get("rec/changed")), "new and longer");
    assert.equal(await env.pool.reconcile(), 0);
  });
});

describe("PrimaryBackupPool when the primary s3rver is killed and restarted", () => {
  it("serves every write and earlier reads from the backup, then copies the outage back and returns", async () => {
    const switches: string[] = [];
    const env = await openPool({ onStateChange: (status) => switches.push(status.active) });
    const { pool, primaryServer, direct } = env;
    try {
      for (let i = 0; i < 5; i++) await pool.put(`pre/${i}`, bytes(`before ${i}`));
      await pool.put("pre/doomed", bytes("to be deleted during the outage"));
      await until(() => pool.status().replication.pendingObjects === 0);

      // Kill the primary while a stream of writes is going on: every put must still succeed.
      const writes = Array.from({ length: 30 }, (_, i) => i);
      const killed = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await primaryServer.kill();
      })();
      for (const i of writes) await pool.put(`out/${String(i).padStart(2, "0")}`, bytes(`during ${i}`));
      await killed;
      await pool.put("out/after-kill", bytes("surely on the backup"));
      await pool.delete("pre/doomed");

      const status = pool.status();
      assert.equal(status.active, "backup");
      assert.equal(status.lastError?.store, "primary");
      assert.ok(status.copyBack.pendingObjects > 0);
      for (let i = 0; i < 5; i++) assert.equal(text(await pool.get(`pre/${i}`)), `before ${i}`);
      assert.equal(text(await pool.get("out/07")), "during 7");
      assert.equal(await pool.head("pre/doomed"), undefined);

      await primaryServer.restart();
      await until(() => pool.status().active === "primary");
      assert.equal(pool.status().copyBack.pendingObjects, 0);
      assert.deepEqual(switches, ["backup", "primary"]);
      for (const i of writes) {
        const key = `out/${String(i).padStart(2, "0")}`;
        assert.equal(text(await direct.primary.get(key)), `during ${i}`, key);
      }
      assert.equal(text(await direct.primary.get("out/after-kill")), "surely on the backup");
      // The delete made during the outage reached the primary, and a reconcile does not undo it.
      assert.equal(await direct.primary.head("pre/doomed"), undefined);
      await pool.reconcile();
      await until(() => pool.status().replication.pendingObjects === 0);
      assert.equal(await pool.head("pre/doomed"), undefined);
      assert.equal(await direct.backup.head("pre/doomed"), undefined);

      await pool.put("back/on-primary", bytes("primary again"));
      assert.equal(text(await direct.primary.get("back/on-primary")), "primary again");
    } finally {
      await pool.close();
      await env.dispose();
    }
  });
});

describe("PrimaryBackupPool when the backup s3rver is down", () => {
  it("keeps serving from the primary and reports the replication it could not finish on close", async () => {
    const env = await openPool({ closeDrainTimeoutMs: 300 });
    try {
      await env.backupServer.kill();
      await env.pool.put("lag/x", bytes("twelve bytes"));
      assert.equal(text(await env.pool.get("lag/x")), "twelve bytes");
      await env.pool.close();
      const status = env.pool.status();
      assert.equal(status.closed, true);
      assert.equal(status.active, "primary");
      assert.equal(status.replication.pendingObjects, 1);
      assert.equal(status.replication.pendingBytes, 12);
      assert.equal(status.replication.lastError?.code, "unavailable");
    } finally {
      await env.dispose();
    }
  });
});
