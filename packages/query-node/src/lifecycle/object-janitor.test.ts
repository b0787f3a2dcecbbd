import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { normalizeTableConfig, type DataFile } from "@miniodb/core";
import { EmbeddedMetadataStore } from "@miniodb/metadata";
import { LocalObjectStore } from "@miniodb/storage";
import { ObjectJanitor } from "./object-janitor.js";

const file = (key: string): DataFile => ({
  key,
  partition: "2026-11-26",
  etag: '"e"',
  sizeBytes: 1,
  rowCount: 1,
  minTimestamp: 0,
  maxTimestamp: 0,
  minId: "a",
  maxId: "a",
  schemaVersion: 1,
  minSequence: 1n,
  maxSequence: 1n,
  nodeId: "n",
  createdAt: new Date(0),
});

describe("ObjectJanitor", () => {
  it("deletes unlisted data files only after the grace period, and never listed or protected ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "miniodb-janitor-"));
    const metadata = await EmbeddedMetadataStore.create({ path: join(dir, "metadata.db") });
    const objects = await LocalObjectStore.create({ root: join(dir, "objects") });
    await metadata.createTable({ name: "t", config: normalizeTableConfig({}), createdAt: new Date(1) });
    const [live, replaced, backedUp] = ["live", "replaced", "backed-up"].map(
      (name) => `data/t/dt=2026-11-26/${name}-00000000000000000001.parquet`,
    );
    for (const key of [live!, replaced!, backedUp!]) await objects.put(key, Buffer.from("x"));
    await metadata.commitManifest("t", { add: [file(live!)] });
    let now = 1_000_000;
    const janitor = new ObjectJanitor({
      metadata,
      objects,
      graceMs: 60_000,
      protectedKeys: async () => new Set([backedUp!]),
      now: () => now,
    });
    janitor.retired([replaced!]);
    assert.deepEqual(await janitor.sweep(), { deleted: 0, waiting: 1 });
    now += 59_999;
    assert.equal((await janitor.sweep()).deleted, 0);
    now += 1;
    assert.deepEqual(await janitor.sweep(), { deleted: 1, waiting: 0 });
    assert.equal(await objects.head(replaced!), undefined);
    assert.ok(await objects.head(live!));
    assert.ok(await objects.head(backedUp!));
    await metadata.close();
  });
});
