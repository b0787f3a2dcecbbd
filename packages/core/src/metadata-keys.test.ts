import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MiniodbError } from "./miniodb-error.js";
import { metadataKeys, parseMetadataKey, tableKeyPattern } from "./metadata-keys.js";

const invalid = (error: unknown) => MiniodbError.is(error, "invalid_argument");

describe("metadata keys", () => {
  it("builds the documented keys", () => {
    assert.equal(metadataKeys.tables(), "tables");
    assert.equal(metadataKeys.table("users", "config"), "table:{users}:config");
    assert.deepEqual(metadataKeys.tableKeys("t_1"), [
      "table:{t_1}:config",
      "table:{t_1}:schemas",
      "table:{t_1}:manifest",
      "table:{t_1}:tombstones",
    ]);
    assert.equal(metadataKeys.sequence("rows"), "sequence:rows");
    assert.equal(metadataKeys.lease("compaction:users"), "lease:compaction:users");
    assert.equal(metadataKeys.idempotency("req-1"), "idempotency:req-1");
    assert.equal(metadataKeys.authSession("s-1"), "auth_session:s-1");
    assert.equal(metadataKeys.nodes(), "nodes:{registry}");
    assert.equal(metadataKeys.nodeExpiry(), "nodes:{registry}:expiry");
    assert.equal(metadataKeys.backups(), "backups:{catalog}");
    assert.equal(metadataKeys.backupTimes(), "backups:{catalog}:by_time");
    assert.equal(metadataKeys.walMarks(), "wal_marks");
    assert.equal(tableKeyPattern("users"), "table:{users}:*");
  });

  it("refuses table names that could break the hash tag", () => {
    for (const name of ["a}b", "{a}", "a:b", "", "1abc", "a b"]) {
      assert.throws(() => metadataKeys.table(name, "config"), invalid, name);
      assert.throws(() => tableKeyPattern(name), invalid, name);
    }
  });

  it("parses every key it builds", () => {
    assert.deepEqual(parseMetadataKey("tables"), { kind: "tables" });
    assert.deepEqual(parseMetadataKey("nodes:{registry}:expiry"), { kind: "node-expiry" });
    assert.deepEqual(parseMetadataKey("backups:{catalog}"), { kind: "backups" });
    assert.deepEqual(parseMetadataKey("wal_marks"), { kind: "wal-marks" });
    assert.deepEqual(parseMetadataKey("lease:compaction:users"), { kind: "lease", name: "compaction:users" });
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/),
        fc.constantFrom("config", "schemas", "manifest", "tombstones" as const),
        fc.string({ minLength: 1 }),
        (table, part, name) => {
          assert.deepEqual(parseMetadataKey(metadataKeys.table(table, part)), { kind: part, table });
          assert.deepEqual(parseMetadataKey(metadataKeys.sequence(name)), { kind: "sequence", name });
          assert.deepEqual(parseMetadataKey(metadataKeys.idempotency(name)), { kind: "idempotency", name });
          assert.deepEqual(parseMetadataKey(metadataKeys.authSession(name)), { kind: "auth-session", name });
        },
      ),
    );
  });

  it("rejects keys outside the layout", () => {
    for (const key of [
      "table:users:config",
      "table:{users}:other",
      "sequence:",
      "index:users",
      "table:{a:b}:config",
    ]) {
      assert.throws(() => parseMetadataKey(key), invalid, key);
    }
  });
});
