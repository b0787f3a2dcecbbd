import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoreRef } from "./contract-fixtures.js";

/** Named counters: consecutive, never overlapping, exact above 2^53. */
export function describeSequenceContract(store: StoreRef): void {
  describe("sequences", () => {
    it("starts at 1 and hands out consecutive ranges per name", async () => {
      assert.equal(await store().reserveSequence("q_simple", 1), 1n);
      assert.equal(await store().reserveSequence("q_simple", 10), 2n);
      assert.equal(await store().reserveSequence("q_simple", 1), 12n);
      assert.equal(await store().reserveSequence("q_other", 5), 1n);
      assert.equal(await store().reserveSequence("q_simple", 1), 13n);
    });

    it("counts exactly past 2^53", async () => {
      assert.equal(await store().reserveSequence("q_big", Number.MAX_SAFE_INTEGER), 1n);
      assert.equal(await store().reserveSequence("q_big", 1), 2n ** 53n);
      assert.equal(await store().reserveSequence("q_big", 3), 2n ** 53n + 1n);
      assert.equal(await store().reserveSequence("q_big", 1), 2n ** 53n + 4n);
    });

    it("never hands out a value twice to concurrent callers", async () => {
      const counts = Array.from({ length: 40 }, (_, i) => 1 + ((i * 7) % 13));
      const firsts = await Promise.all(counts.map((count) => store().reserveSequence("q_race", count)));
      const ranges = firsts
        .map((first, i) => ({ first, end: first + BigInt(counts[i]!) }))
        .sort((a, b) => (a.first < b.first ? -1 : 1));
      let expected = 1n;
      for (const range of ranges) {
        assert.equal(range.first, expected, "ranges must be disjoint and leave no gap");
        expected = range.end;
      }
      const total = counts.reduce((sum, count) => sum + count, 0);
      assert.equal(await store().reserveSequence("q_race", 1), BigInt(total) + 1n);
    });
  });
}
