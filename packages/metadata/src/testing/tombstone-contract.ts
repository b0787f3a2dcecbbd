import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Tombstone } from "@miniodb/core";
import { contractFixtures as f, type StoreRef } from "./contract-fixtures.js";

const byId = (tombstones: readonly Tombstone[]) => [...tombstones].sort((a, b) => (a.id < b.id ? -1 : 1));
const tombstone = (id: string, sequence: bigint, soft = false, at = 0): Tombstone => ({
  id,
  sequence,
  soft,
  createdAt: f.at(at),
});

/** Tombstones: one per id, the highest sequence wins, retired after compaction. */
export function describeTombstoneContract(store: StoreRef): void {
  describe("tombstones", () => {
    it("stores tombstones exactly, sequences above 2^53 included", async () => {
      await store().createTable(f.table("d_exact"));
      assert.deepEqual(await store().listTombstones("d_exact"), []);
      const added = [
        tombstone("b", 2n ** 53n + 1n, true, 7),
        tombstone("a", 2n ** 62n + 12_345n, false, 8),
        tombstone("c ✓/ä", 1n, true, 9),
      ];
      await store().addTombstones("d_exact", added);
      assert.deepEqual(byId(await store().listTombstones("d_exact")), byId(added));
    });

    it("keeps the higher sequence for an id", async () => {
      await store().createTable(f.table("d_wins"));
      await store().addTombstones("d_wins", [tombstone("x", 100n, false, 1)]);
      await store().addTombstones("d_wins", [tombstone("x", 50n, true, 2)]);
      assert.deepEqual(await store().listTombstones("d_wins"), [tombstone("x", 100n, false, 1)]);
      await store().addTombstones("d_wins", [tombstone("x", 2n ** 60n, true, 3)]);
      const softOverHard = { ...tombstone("x", 2n ** 60n, true, 3), restoreSequence: 100n };
      assert.deepEqual(await store().listTombstones("d_wins"), [softOverHard]);
      await store().addTombstones("d_wins", [tombstone("y", 5n, false, 4), tombstone("y", 3n, true, 5)]);
      await store().addTombstones("d_wins", [tombstone("x", 2n ** 60n - 1n, false, 6)]);
      assert.deepEqual(byId(await store().listTombstones("d_wins")), [
        softOverHard,
        tombstone("y", 5n, false, 4),
      ]);
    });

    it("lists the tombstones of the ids asked for, sorted by id, leaving out ids without one", async () => {
      await store().createTable(f.table("d_some"));
      await store().createTable(f.table("d_other"));
      const stored = [
        tombstone("b", 2n),
        tombstone("a", 1n, true, 3),
        tombstone("c ✓/ä", 2n ** 60n),
        tombstone("d", 4n),
      ];
      await store().addTombstones("d_some", stored);
      await store().addTombstones("d_other", [tombstone("x", 9n)]);
      assert.deepEqual(await store().listTombstones("d_some", ["c ✓/ä", "x", "a", "a", "none"]), [
        stored[1],
        stored[2],
      ]);
      assert.deepEqual(await store().listTombstones("d_some", []), []);
      assert.deepEqual(await store().listTombstones("d_other", ["x"]), [tombstone("x", 9n)]);
      assert.deepEqual(await store().listTombstones("d_some", ['"', "\\", "%", "_"]), []);
    });

    it("retires only tombstones at or below the given sequence of their id", async () => {
      await store().createTable(f.table("d_retire"));
      const big = 2n ** 53n;
      await store().addTombstones("d_retire", [
        tombstone("a", 10n),
        tombstone("b", 20n),
        tombstone("c", 30n),
        tombstone("big", big + 1n),
        tombstone("bigger", big + 1n),
      ]);
      await store().retireTombstones("d_retire", [
        { id: "a", sequence: 10n },
        { id: "b", sequence: 15n },
        { id: "big", sequence: big },
        { id: "bigger", sequence: big + 2n },
        { id: "never-deleted", sequence: 99n },
      ]);
      assert.deepEqual(byId(await store().listTombstones("d_retire")), [
        tombstone("b", 20n),
        tombstone("big", big + 1n),
        tombstone("c", 30n),
      ]);
    });

    it("restores a soft delete to the hard tombstone it replaced, or removes it", async () => {
      await store().createTable(f.table("d_restore"));
      const big = 2n ** 60n;
      // "upd": updated (hard at 10), then soft-deleted twice; "del": only soft-deleted.
      await store().addTombstones("d_restore", [
        tombstone("upd", 10n, false, 1),
        tombstone("del", 5n, true, 2),
      ]);
      await store().addTombstones("d_restore", [tombstone("upd", big, true, 3)]);
      await store().addTombstones("d_restore", [tombstone("upd", big + 1n, true, 4)]);
      assert.deepEqual(byId(await store().listTombstones("d_restore")), [
        tombstone("del", 5n, true, 2),
        { ...tombstone("upd", big + 1n, true, 4), restoreSequence: 10n },
      ]);
      // Wrong sequences and hard tombstones are left alone.
      await store().restoreTombstones("d_restore", [
        { id: "upd", sequence: big },
        { id: "del", sequence: 6n },
        { id: "never-deleted", sequence: 1n },
      ]);
      assert.equal((await store().listTombstones("d_restore")).length, 2);
      await store().restoreTombstones("d_restore", [
        { id: "upd", sequence: big + 1n },
        { id: "del", sequence: 5n },
      ]);
      assert.deepEqual(await store().listTombstones("d_restore"), [tombstone("upd", 10n, false, 4)]);
      await store().restoreTombstones("d_restore", [{ id: "upd", sequence: 10n }]);
      assert.deepEqual(await store().listTombstones("d_restore"), [tombstone("upd", 10n, false, 4)]);
      // A hard tombstone over a soft one forgets what the soft one remembered.
      await store().addTombstones("d_restore", [
        tombstone("upd", 20n, true, 5),
        tombstone("upd", 30n, false, 6),
      ]);
      assert.deepEqual(await store().listTombstones("d_restore"), [tombstone("upd", 30n, false, 6)]);
    });

    it("answers the same list while nothing changed, and the new one after every change", async () => {
      const table = "d_same";
      await store().createTable(f.table(table));
      await store().addTombstones(table, [tombstone("a", 5n, true), tombstone("b", 6n)]);
      const first = await store().listTombstones(table);
      assert.equal(await store().listTombstones(table), first, "unchanged: the same list");
      assert.ok(Object.isFrozen(first));
      const steps: Array<[string, () => Promise<void>, string[]]> = [
        ["add", () => store().addTombstones(table, [tombstone("c", 7n)]), ["a", "b", "c"]],
        ["restore", () => store().restoreTombstones(table, [{ id: "a", sequence: 5n }]), ["b", "c"]],
        ["retire", () => store().retireTombstones(table, [{ id: "b", sequence: 6n }]), ["c"]],
        [
          "delete and create",
          async () => {
            await store().deleteTable(table);
            await store().createTable(f.table(table));
          },
          [],
        ],
      ];
      let previous = first;
      for (const [step, change, ids] of steps) {
        await change();
        const next = await store().listTombstones(table);
        assert.notEqual(next, previous, `${step}: a new list`);
        assert.deepEqual(
          next.map((entry) => entry.id),
          ids,
          step,
        );
        previous = next;
      }
    });

    it("keeps the tombstones of different tables apart", async () => {
      await store().createTable(f.table("d_left"));
      await store().createTable(f.table("d_right"));
      await store().addTombstones("d_left", [tombstone("same", 1n)]);
      await store().addTombstones("d_right", [tombstone("same", 2n)]);
      await store().retireTombstones("d_left", [{ id: "same", sequence: 5n }]);
      assert.deepEqual(await store().listTombstones("d_left"), []);
      assert.deepEqual(await store().listTombstones("d_right"), [tombstone("same", 2n)]);
    });
  });
}
