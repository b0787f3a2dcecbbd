import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contractFixtures as f, type StoreRef } from "./contract-fixtures.js";

/** The workers' WAL low-water marks: kept exactly (past 2^53), replaced, removed, never expiring. */
export function describeWalMarkContract(store: StoreRef): void {
  describe("WAL marks", () => {
    const big = 2n ** 62n + 12_345n;

    it("keeps each worker's mark, exactly and sorted by node id, until it is replaced", async () => {
      await store().putWalMark({ nodeId: "wm-b", sequence: big, updatedAt: f.at(1) });
      await store().putWalMark({ nodeId: "wm-a", sequence: 7n, updatedAt: f.at(2) });
      assert.deepEqual(await store().listWalMarks(), [
        { nodeId: "wm-a", sequence: 7n, updatedAt: f.at(2) },
        { nodeId: "wm-b", sequence: big, updatedAt: f.at(1) },
      ]);
      // A mark is replaced as it is, lower or higher: the worker decides.
      await store().putWalMark({ nodeId: "wm-b", sequence: 3n, updatedAt: f.at(3) });
      assert.deepEqual(
        (await store().listWalMarks()).find((mark) => mark.nodeId === "wm-b"),
        { nodeId: "wm-b", sequence: 3n, updatedAt: f.at(3) },
      );
    });

    it("removes a mark, and removing one that is not there is harmless", async () => {
      await store().removeWalMark("wm-b");
      await store().removeWalMark("wm-never");
      assert.deepEqual(
        (await store().listWalMarks()).map((mark) => mark.nodeId),
        ["wm-a"],
      );
      await store().removeWalMark("wm-a");
      assert.deepEqual(await store().listWalMarks(), []);
    });

    it("refuses a sequence outside [0, 2^63 - 1] and stores nothing", async () => {
      for (const sequence of [-1n, 2n ** 63n])
        await f.rejectsWith(
          store().putWalMark({ nodeId: "wm-bad", sequence, updatedAt: f.at(0) }),
          "invalid_argument",
        );
      assert.deepEqual(await store().listWalMarks(), []);
    });
  });
}
