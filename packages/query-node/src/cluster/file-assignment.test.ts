import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assignFilesByBytes } from "./file-assignment.js";

describe("assignFilesByBytes", () => {
  it("gives every file to exactly one worker and balances the bytes", () => {
    const files = Array.from({ length: 40 }, (_, index) => ({
      key: `f${index}`,
      sizeBytes: 1000 + ((index * 7919) % 5000),
    }));
    const assigned = assignFilesByBytes(files, ["w1", "w2", "w3"]);
    const keys = [...assigned.values()].flat().map((file) => file.key);
    assert.deepEqual([...keys].sort(), files.map((file) => file.key).sort());
    const totals = [...assigned.values()].map((list) => list.reduce((sum, file) => sum + file.sizeBytes, 0));
    const largest = Math.max(...files.map((file) => file.sizeBytes));
    assert.ok(Math.max(...totals) - Math.min(...totals) <= largest, `totals ${totals.join(", ")}`);
  });

  it("lists every worker, with nothing to scan when there are no files", () => {
    assert.deepEqual(
      [...assignFilesByBytes([], ["a", "b"])],
      [
        ["a", []],
        ["b", []],
      ],
    );
    assert.deepEqual([...assignFilesByBytes([{ key: "x", sizeBytes: 1 }], [])], []);
  });

  it("is deterministic for equal sizes", () => {
    const files = [
      { key: "b", sizeBytes: 5 },
      { key: "a", sizeBytes: 5 },
      { key: "c", sizeBytes: 5 },
    ];
    const first = assignFilesByBytes(files, ["w1", "w2"]);
    assert.deepEqual(
      first.get("w1")!.map((file) => file.key),
      ["a", "c"],
    );
    assert.deepEqual(
      first.get("w2")!.map((file) => file.key),
      ["b"],
    );
  });
});
