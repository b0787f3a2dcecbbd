import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { digestOfIndices, groupByOwner, latestParts } from "./write-parts.js";

describe("write parts", () => {
  it("groups indices by owner in order of first appearance", () => {
    const owners = ["b", "a", "b", "c"];
    assert.deepEqual(
      [...groupByOwner([0, 1, 2, 3], (index) => owners[index]!)],
      [
        ["b", [0, 2]],
        ["a", [1]],
        ["c", [3]],
      ],
    );
  });

  it("digests a set of indices, not their order", () => {
    assert.equal(digestOfIndices([3, 1, 2]), digestOfIndices([1, 2, 3]));
    assert.notEqual(digestOfIndices([1, 2]), digestOfIndices([1, 2, 3]));
    assert.notEqual(digestOfIndices([1, 23]), digestOfIndices([12, 3]));
  });

  it("gives every index to the last logged part that held it", () => {
    // Attempt 0 sent [0,1,2] and [3,4]; [3,4] was refused and went out as [3] and [4].
    const entries = [
      [
        [0, 1, 2],
        [3, 4],
      ],
      [[3], [4]],
    ];
    assert.deepEqual(
      latestParts(entries, () => true),
      [[0, 1, 2], [3], [4]],
    );
  });

  it("leaves out indices a retry does not have, keeping the rest of their part", () => {
    const entries = [
      [
        [0, 1, 2],
        [3, 4],
      ],
      [[1, 4]],
    ];
    assert.deepEqual(
      latestParts(entries, (index) => index < 4),
      [[0, 2], [3], [1]],
    );
  });
});
