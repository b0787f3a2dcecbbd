import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DataFile, Tombstone } from "@miniodb/core";
import { TombstoneIndex } from "./tombstone-index.js";

const tombstone = (id: string, sequence: bigint): Tombstone => ({
  id,
  sequence,
  soft: false,
  createdAt: new Date(0),
});
const file = (minId: string, maxId: string, minSequence: bigint) =>
  ({ minId, maxId, minSequence }) as DataFile;

describe("TombstoneIndex", () => {
  const index = new TombstoneIndex([tombstone("m", 50n), tombstone("c", 10n), tombstone("x", 5n)]);

  it("touches a file only with an id in its range and a sequence reaching its rows", () => {
    assert.equal(index.touches(file("a", "d", 5n)), true);
    assert.equal(index.touches(file("a", "d", 11n)), false, "rows newer than the tombstone");
    assert.equal(index.touches(file("d", "l", 0n)), false, "no tombstoned id in range");
    assert.equal(index.touches(file("m", "m", 50n)), true, "bounds are inclusive");
    assert.equal(index.touches(file("n", "z", 6n)), false);
  });

  it("keeps the tombstones a query range admits", () => {
    const ids = (found: TombstoneIndex) => found.entries().map((entry) => entry.id);
    assert.deepEqual(ids(index.within(undefined)), ["c", "m", "x"]);
    assert.deepEqual(ids(index.within({ ids: ["m", "q"] })), ["m"]);
    assert.deepEqual(ids(index.within({ idMin: "d", idMax: "x" })), ["m", "x"]);
  });

  it("builds one index per frozen list, and records the highest sequence of each id", () => {
    const list = Object.freeze([tombstone("b", 3n), tombstone("a", 9n), tombstone("b", 7n)]);
    const shared = TombstoneIndex.of(list);
    assert.equal(TombstoneIndex.of(list), shared);
    assert.notEqual(
      TombstoneIndex.of([...list]),
      TombstoneIndex.of([...list]),
      "a list that may change is not kept",
    );
    assert.deepEqual(
      [...shared.hidden()],
      [
        ["a", 9n],
        ["b", 7n],
      ],
    );
    assert.equal(shared.hidden(), shared.hidden());
  });
});
