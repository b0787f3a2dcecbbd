import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DataFile } from "@miniodb/core";
import { TombstoneIndex } from "@miniodb/executor";
import { planCompaction } from "./compaction-plan.js";

const file = (n: number, size: number, partition = "2026-11-20", nodeId = "a"): DataFile => ({
  key: `k${n}`,
  partition,
  etag: "e",
  sizeBytes: size,
  rowCount: 1,
  minTimestamp: 0,
  maxTimestamp: 0,
  minId: `id${n}`,
  maxId: `id${n}`,
  schemaVersion: 1,
  minSequence: BigInt(n * 10),
  maxSequence: BigInt(n * 10 + 5),
  nodeId,
  createdAt: new Date(0),
});
const none = new TombstoneIndex([]);
const policy = { targetFileBytes: 100, minSmallFiles: 3 };
const keys = (bins: ReturnType<typeof planCompaction>) => bins.map((bin) => bin.files.map((f) => f.key));

describe("planCompaction", () => {
  it("merges small files only from the threshold on, per partition and node, in bins up to the target", () => {
    assert.deepEqual(planCompaction([file(1, 10), file(2, 10)], none, policy), []);
    const files = [1, 2, 3, 4, 5].map((n) => file(n, 30));
    assert.deepEqual(keys(planCompaction(files, none, policy)), [
      ["k1", "k2", "k3"],
      ["k4", "k5"],
    ]);
    const mixed = [file(1, 10), file(2, 10, "2026-11-21"), file(3, 10, "2026-11-20", "b"), file(4, 10)];
    assert.deepEqual(planCompaction(mixed, none, policy), []);
  });

  it("leaves large files alone unless a hard tombstone may hide rows in them", () => {
    const files = [file(1, 90), file(2, 90), file(3, 90)];
    assert.deepEqual(planCompaction(files, none, policy), []);
    const tombstones = new TombstoneIndex([
      { id: "id2", sequence: 20n, soft: false, createdAt: new Date(0) },
    ]);
    assert.deepEqual(keys(planCompaction(files, tombstones, policy)), [["k2"]]);
    const older = new TombstoneIndex([{ id: "id2", sequence: 19n, soft: false, createdAt: new Date(0) }]);
    assert.deepEqual(planCompaction(files, older, policy), []);
  });
});
