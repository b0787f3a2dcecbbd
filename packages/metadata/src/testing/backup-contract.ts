import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BackupEntry } from "@miniodb/core";
import { contractFixtures as f, type StoreRef } from "./contract-fixtures.js";

const backup = (id: string, at: number): BackupEntry => ({
  id,
  objectKey: `backups/metadata/${id}.json`,
  nodeId: "node-a",
  createdAt: f.at(at),
  sizeBytes: 4096 + at,
});

/** The backup catalogue: listed newest first, from a given time on. */
export function describeBackupContract(store: StoreRef): void {
  describe("backups", () => {
    it("lists backups created at or after since, newest first", async () => {
      const [b1, b2, b3, b4] = [
        backup("b1", 1_000),
        backup("b2", 2_000),
        backup("b3", 3_000),
        backup("b4", 4_000),
      ];
      for (const entry of [b3!, b1!, b4!, b2!]) await store().putBackup(entry);
      const mine = async (since: Date) =>
        (await store().listBackups(since)).filter((entry) => /^b\d$/.test(entry.id));
      assert.deepEqual(await mine(f.at(2_000)), [b4, b3, b2]);
      assert.deepEqual(await mine(f.at(0)), [b4, b3, b2, b1]);
      assert.deepEqual(await mine(f.at(4_001)), []);
    });
  });
}
