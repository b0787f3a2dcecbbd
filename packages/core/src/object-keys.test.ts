import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  dataFileKey,
  metadataBackupKey,
  parseDataFileKey,
  partitionOf,
  tableDataPrefix,
} from "./object-keys.js";

describe("object keys", () => {
  it("builds and parses data file keys", () => {
    const key = dataFileKey({ table: "users", partition: "2026-11-26", nodeId: "node-1", sequence: 42n });
    assert.equal(key, "data/users/dt=2026-11-26/node-1-00000000000000000042.parquet");
    assert.deepEqual(parseDataFileKey(key), {
      table: "users",
      partition: "2026-11-26",
      nodeId: "node-1",
      sequence: 42n,
    });
    assert.ok(key.startsWith(tableDataPrefix("users")));
  });

  it("builds and parses compacted file keys apart from the flushed file they may start with", () => {
    const parts = { table: "users", partition: "2026-11-26", nodeId: "node-1", sequence: 42n };
    const key = dataFileKey({ ...parts, compaction: "m3x9k2" });
    assert.equal(key, "data/users/dt=2026-11-26/node-1-00000000000000000042.cm3x9k2.parquet");
    assert.notEqual(key, dataFileKey(parts));
    assert.deepEqual(parseDataFileKey(key), { ...parts, compaction: "m3x9k2" });
    assert.throws(() => dataFileKey({ ...parts, compaction: "Bad/run" }), /invalid compaction run/);
  });

  it("round-trips any valid parts and sorts by sequence", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,20}$/),
        fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}$/),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (table, nodeId, a, b) => {
          const keyA = dataFileKey({ table, partition: "2026-01-01", nodeId, sequence: a });
          const keyB = dataFileKey({ table, partition: "2026-01-01", nodeId, sequence: b });
          assert.equal(parseDataFileKey(keyA).sequence, a);
          assert.equal(keyA < keyB, a < b);
        },
      ),
    );
  });

  it("rejects keys that are not data files", () => {
    for (const key of [
      "data/users/x.parquet",
      "backups/metadata/1.json",
      "data/1users/dt=2026-01-01/n-00000000000000000001.parquet",
    ]) {
      assert.throws(() => parseDataFileKey(key), /not a data file key/);
    }
  });

  it("partitions by UTC day of epoch microseconds", () => {
    assert.equal(partitionOf(Date.parse("2026-11-26T23:59:59.999Z") * 1000), "2026-11-26");
    assert.equal(partitionOf(Date.parse("2026-11-27T00:00:00Z") * 1000), "2026-11-27");
    assert.equal(partitionOf(-1), "1969-12-31");
  });

  it("builds backup keys from safe ids only", () => {
    assert.equal(metadataBackupKey("20261126-abc"), "backups/metadata/20261126-abc.json");
    assert.throws(() => metadataBackupKey("../x"));
  });
});
