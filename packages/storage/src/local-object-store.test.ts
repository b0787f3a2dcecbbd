import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { LocalObjectStore } from "./local-object-store.js";
import { describeObjectStoreContract } from "./testing/object-store-contract.js";

const tempRoot = () => mkdtempSync(join(tmpdir(), "miniodb-objects-"));

describeObjectStoreContract("LocalObjectStore", async () => {
  const root = tempRoot();
  return {
    store: await LocalObjectStore.create({ root }),
    dispose: async () => rmSync(root, { recursive: true, force: true }),
  };
});

describe("LocalObjectStore", () => {
  it("keeps objects as files under the root and nothing else after a delete", async () => {
    const root = tempRoot();
    const store = await LocalObjectStore.create({ root });
    await store.put("users/dt=2026-01-01/n1-1.parquet", new Uint8Array([1, 2, 3]));
    assert.ok(existsSync(join(root, "users", "dt=2026-01-01", "n1-1.parquet")));
    await store.delete("users/dt=2026-01-01/n1-1.parquet");
    assert.deepEqual(readdirSync(root), [".tmp"]);
  });

  it("discards writes a crash interrupted and never lists them", async () => {
    const root = tempRoot();
    await LocalObjectStore.create({ root });
    writeFileSync(join(root, ".tmp", "interrupted"), "partial");
    const store = await LocalObjectStore.create({ root });
    assert.deepEqual(readdirSync(join(root, ".tmp")), []);
    const listed = [];
    for await (const info of store.list("")) listed.push(info.key);
    assert.deepEqual(listed, []);
  });
});
