import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { LocalObjectStore } from "../local-object-store.js";
import { PrimaryBackupPool } from "./primary-backup-pool.js";

describe("PrimaryBackupPool without a backup", () => {
  it("is just the primary: no timers, nothing to replicate, and errors pass through", async () => {
    const root = mkdtempSync(join(tmpdir(), "miniodb-pool-"));
    const pool = new PrimaryBackupPool({ primary: await LocalObjectStore.create({ root }) });
    try {
      await pool.put("a/b", new Uint8Array([7]));
      assert.deepEqual(await pool.get("a/b"), new Uint8Array([7]));
      const status = pool.status();
      assert.equal(status.hasBackup, false);
      assert.equal(status.active, "primary");
      assert.equal(status.replication.pendingObjects, 0);
      assert.equal(await pool.reconcile(), 0);
    } finally {
      await pool.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("PrimaryBackupPool with a backup", () => {
  it("reads an object the primary lost from the backup, and still reports objects missing from both", async () => {
    const root = mkdtempSync(join(tmpdir(), "miniodb-pool-"));
    const primary = await LocalObjectStore.create({ root: join(root, "primary") });
    const backup = await LocalObjectStore.create({ root: join(root, "backup") });
    const pool = new PrimaryBackupPool({ primary, backup, reconcileIntervalMs: 0 });
    try {
      await pool.put("data/x", new Uint8Array([1, 2]));
      await pool.close();
      await primary.delete("data/x");
      const reopened = new PrimaryBackupPool({ primary, backup, reconcileIntervalMs: 0 });
      assert.deepEqual(await reopened.get("data/x"), new Uint8Array([1, 2]));
      assert.equal((await reopened.head("data/x"))?.size, 2);
      assert.equal(await reopened.head("data/none"), undefined);
      await assert.rejects(reopened.get("data/none"), /not_found|no object|does not exist/i);
      assert.equal(reopened.status().active, "primary");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
