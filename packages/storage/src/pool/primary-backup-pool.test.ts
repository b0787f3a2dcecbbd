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
