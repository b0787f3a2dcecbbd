import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MiniodbError, normalizeTableConfig, type DataFile } from "@miniodb/core";
import { EmbeddedMetadataStore } from "@miniodb/metadata";
import { LocalObjectStore } from "@miniodb/storage";
import { JobTracker } from "./job-tracker.js";
import { MetadataBackupService } from "./metadata-backup-service.js";
import { MetadataRestoreService, type RestoreMetadataRequestOptions } from "./metadata-restore-service.js";

async function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "miniodb-restore-"));
  const metadata = await EmbeddedMetadataStore.create({ path: join(dir, "metadata.db") });
  const objects = await LocalObjectStore.create({ root: join(dir, "objects") });
  const jobs = new JobTracker();
  const backups = new MetadataBackupService({
    nodeId: "n1",
    metadata,
    store: objects,
    storeName: "primary",
    jobs,
    intervalMs: 0,
    keepMs: 86_400_000,
  });
  const restores = new MetadataRestoreService({ nodeId: "n1", metadata, objects, backups, jobs });
  return { metadata, objects, backups, restores, jobs };
}

const file = (key: string): DataFile => ({
  key,
  partition: "2026-11-26",
  etag: '"e"',
  sizeBytes: 10,
  rowCount: 3,
  minTimestamp: 1,
  maxTimestamp: 2,
  minId: "a",
  maxId: "c",
  schemaVersion: 1,
  minSequence: 2n ** 60n,
  maxSequence: 2n ** 60n + 2n,
  nodeId: "n1",
  createdAt: new Date(5),
});

const request = (options: Partial<RestoreMetadataRequestOptions> = {}): RestoreMetadataRequestOptions => ({
  backupFile: "",
  fromLatest: true,
  dryRun: false,
  overwrite: false,
  validate: false,
  parallel: false,
  filters: {},
  keyPatterns: [],
  ...options,
});

describe("MetadataRestoreService", () => {
  it("restores a deleted table exactly: config, schema versions, manifest, tombstones", async () => {
    const f = await fixture();
    const entry = {
      name: "t",
      config: normalizeTableConfig({ retentionDays: 3 }),
      createdAt: new Date(1000),
    };
    await f.metadata.createTable(entry);
    await f.metadata.putSchema("t", { version: 1, columns: [{ name: "a", type: "BIGINT" }] });
    await f.metadata.putSchema("t", { version: 2, columns: [{ name: "a", type: "DOUBLE" }] });
    await f.metadata.commitManifest("t", { add: [file("data/t/dt=2026-11-26/n1-1.parquet")] });
    await f.metadata.addTombstones("t", [
      { id: "b", sequence: 2n ** 61n, soft: true, createdAt: new Date(9) },
      { id: "c", sequence: 40n, soft: false, createdAt: new Date(10) },
    ]);
    // A soft delete of an updated record: it remembers the update's tombstone (40).
    await f.metadata.addTombstones("t", [{ id: "c", sequence: 50n, soft: true, createdAt: new Date(11) }]);
    await f.backups.backup();
    const before = {
      manifest: (await f.metadata.getManifest("t")).files,
      tombstones: await f.metadata.listTombstones("t"),
      schemas: await f.metadata.listSchemas("t"),
    };
    await f.metadata.deleteTable("t");
    const outcome = await f.restores.restore(request({ keyPatterns: ["table:*"] }));
    assert.deepEqual([outcome.success, outcome.total, outcome.ok, outcome.error], [true, 4, 4, 0]);
    assert.equal(before.tombstones.find((tombstone) => tombstone.id === "c")?.restoreSequence, 40n);
    assert.deepEqual(await f.metadata.getTable("t"), entry);
    assert.deepEqual(
      {
        manifest: (await f.metadata.getManifest("t")).files,
        tombstones: await f.metadata.listTombstones("t"),
        schemas: await f.metadata.listSchemas("t"),
      },
      before,
    );
  });

  it("refuses a second restore while one runs, and validation flags missing data files", async () => {
    const f = await fixture();
    await f.metadata.createTable({ name: "t", config: normalizeTableConfig({}), createdAt: new Date(1) });
    await f.metadata.commitManifest("t", { add: [file("data/t/dt=2026-11-26/n1-1.parquet")] });
    await f.backups.backup();
    const first = f.restores.restore(request({ dryRun: true }));
    await assert.rejects(f.restores.restore(request({ dryRun: true })), (error: unknown) =>
      MiniodbError.is(error, "failed_precondition"),
    );
    assert.equal((await first).skipped, 4);
    const validated = await f.restores.restore(request({ validate: true, overwrite: true }));
    assert.equal(validated.success, false);
    assert.match(validated.errors[0]!, /1 of 1 data files are missing/);
    assert.equal(f.jobs.lastFinished("restore-metadata")?.state, "succeeded");
  });
});
