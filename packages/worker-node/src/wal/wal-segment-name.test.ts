import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWalSegmentName, walSegmentName } from "./wal-segment-name.js";

describe("WAL segment names", () => {
  it("round-trips LSNs and sorts names in LSN order", () => {
    const lsns = [1n, 9n, 10n, 4097n, 18_446_744_073_709_551_615n];
    const names = lsns.map(walSegmentName);
    assert.equal(names[0], "00000000000000000001.wal");
    assert.deepEqual(names.map(parseWalSegmentName), lsns);
    assert.deepEqual([...names].reverse().sort(), names);
  });

  it("ignores files that are not segments", () => {
    for (const name of [
      "1.wal",
      "0000000000000000000x.wal",
      "00000000000000000001.tmp",
      "00000000000000000000.wal",
    ]) {
      assert.equal(parseWalSegmentName(name), undefined, name);
    }
  });
});
