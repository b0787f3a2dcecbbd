import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { loadConfig } from "./load-config.js";
import { NODE_ID_FILE, resolveNodeIdentity } from "./node-identity.js";

describe("resolveNodeIdentity", () => {
  it("records the first id in the data directory and keeps it when the host name changes", () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "miniodb-id-")), "data");
    const first = resolveNodeIdentity(loadConfig({ env: { MINIODB_NODE__DATA_DIR: dataDir } }));
    assert.match(first.node.id, /^[A-Za-z0-9]/);
    assert.equal(readFileSync(join(dataDir, NODE_ID_FILE), "utf8").trim(), first.node.id);
    const pinned = resolveNodeIdentity(loadConfig({ env: { MINIODB_NODE__DATA_DIR: dataDir } }));
    assert.equal(pinned.node.id, first.node.id);
    const same = resolveNodeIdentity(
      loadConfig({ env: { MINIODB_NODE__DATA_DIR: dataDir }, flags: { "node.id": first.node.id } }),
    );
    assert.equal(same.node.id, first.node.id);
  });

  it("refuses a configured id that differs from the directory's", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "miniodb-id-"));
    resolveNodeIdentity(
      loadConfig({ env: { MINIODB_NODE__DATA_DIR: dataDir }, flags: { "node.id": "node-a" } }),
    );
    assert.throws(
      () =>
        resolveNodeIdentity(
          loadConfig({ env: { MINIODB_NODE__DATA_DIR: dataDir }, flags: { "node.id": "node-b" } }),
        ),
      (error: unknown) =>
        MiniodbError.is(error, "failed_precondition") && /belongs to node node-a/.test(error.message),
    );
  });
});
