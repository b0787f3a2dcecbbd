import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { contractFixtures as f, type StoreRef } from "./contract-fixtures.js";

/**
 * Manifests. Besides the port's doc comments this pins down two choices every implementation
 * shares: with `expectedVersion`, removing a key that is not in the manifest is `aborted` (the
 * caller's view is stale) while without it such a key is ignored; adding a key that is already in
 * the table's manifest is `already_exists`. A failed commit changes nothing.
 */
export function describeManifestContract(store: StoreRef): void {
  describe("manifest", () => {
    it("starts empty at version 0", async () => {
      await store().createTable(f.table("m_empty"));
      assert.deepEqual(await store().getManifest("m_empty"), { table: "m_empty", version: 0, files: [] });
    });

    it("returns committed files exactly, sequences above 2^53 included", async () => {
      await store().createTable(f.table("m_add"));
      const files = [f.file("m_add", 1), f.file("m_add", 2)];
      assert.equal(await store().commitManifest("m_add", { add: files }), 1);
      const manifest = await store().getManifest("m_add");
      assert.equal(manifest.version, 1);
      assert.deepEqual(f.byKey(manifest.files), f.byKey(files));
      const first = manifest.files.find((file) => file.key === files[0]!.key)!;
      assert.equal(first.maxSequence, 2n ** 60n + 2000n);
      assert.equal(typeof first.maxSequence, "bigint");
    });

    it("adds and removes in one step, one version per commit", async () => {
      await store().createTable(f.table("m_swap"));
      const [a, b, c] = [1, 2, 3].map((n) => f.file("m_swap", n));
      await store().commitManifest("m_swap", { add: [a!, b!] });
      assert.equal(await store().commitManifest("m_swap", { add: [c!], remove: [a!.key, b!.key] }), 2);
      assert.deepEqual(await store().getManifest("m_swap"), { table: "m_swap", version: 2, files: [c] });
      assert.equal(await store().commitManifest("m_swap", { remove: [c!.key] }), 3);
      assert.deepEqual(await store().getManifest("m_swap"), { table: "m_swap", version: 3, files: [] });
    });

    it("applies a change with expectedVersion only at that version", async () => {
      await store().createTable(f.table("m_cas"));
      await store().commitManifest("m_cas", { add: [f.file("m_cas", 1)] });
      const stale = { add: [f.file("m_cas", 2)], expectedVersion: 0 };
      await f.rejectsWith(store().commitManifest("m_cas", stale), "aborted");
      await f.rejectsWith(store().commitManifest("m_cas", { ...stale, expectedVersion: 2 }), "aborted");
      assert.deepEqual(await store().getManifest("m_cas"), {
        table: "m_cas",
        version: 1,
        files: [f.file("m_cas", 1)],
      });
      assert.equal(await store().commitManifest("m_cas", { ...stale, expectedVersion: 1 }), 2);
      assert.equal((await store().getManifest("m_cas")).files.length, 2);
    });

    it("aborts removing a missing key under expectedVersion and ignores it otherwise", async () => {
      await store().createTable(f.table("m_missing"));
      const [a, b, c] = [1, 2, 3].map((n) => f.file("m_missing", n));
      await store().commitManifest("m_missing", { add: [a!] });
      const change = { add: [b!], remove: [a!.key, "data/m_missing/not-there.parquet"] };
      await f.rejectsWith(store().commitManifest("m_missing", { ...change, expectedVersion: 1 }), "aborted");
      assert.deepEqual(await store().getManifest("m_missing"), {
        table: "m_missing",
        version: 1,
        files: [a],
      });
      assert.equal(await store().commitManifest("m_missing", change), 2);
      assert.equal(await store().commitManifest("m_missing", { add: [c!], remove: [a!.key] }), 3);
      const manifest = await store().getManifest("m_missing");
      assert.deepEqual(f.byKey(manifest.files), f.byKey([b!, c!]));
    });

    it("refuses to add a key the manifest already has and changes nothing", async () => {
      await store().createTable(f.table("m_dup"));
      const [a, b] = [1, 2].map((n) => f.file("m_dup", n));
      await store().commitManifest("m_dup", { add: [a!] });
      await f.rejectsWith(
        store().commitManifest("m_dup", { add: [b!, { ...a!, etag: '"other"' }] }),
        "already_exists",
      );
      assert.deepEqual(await store().getManifest("m_dup"), { table: "m_dup", version: 1, files: [a] });
    });

    it("lets exactly one of concurrent commits with the same expectedVersion win", async () => {
      await store().createTable(f.table("m_race"));
      await store().commitManifest("m_race", { add: [f.file("m_race", 0)] });
      const files = Array.from({ length: 8 }, (_, i) => f.file("m_race", i + 1));
      const results = await Promise.allSettled(
        files.map((file) => store().commitManifest("m_race", { add: [file], expectedVersion: 1 })),
      );
      const { values, errors } = f.settle(results);
      assert.deepEqual(values, [2]);
      assert.equal(errors.length, 7);
      for (const error of errors) assert.ok(MiniodbError.is(error, "aborted"), String(error));
      const winner = files[results.findIndex((result) => result.status === "fulfilled")]!;
      const manifest = await store().getManifest("m_race");
      assert.equal(manifest.version, 2);
      assert.deepEqual(f.byKey(manifest.files), f.byKey([f.file("m_race", 0), winner]));
    });

    it("applies every one of concurrent commits without expectedVersion", async () => {
      await store().createTable(f.table("m_many"));
      const files = Array.from({ length: 10 }, (_, i) => f.file("m_many", i));
      const versions = await Promise.all(
        files.map((file) => store().commitManifest("m_many", { add: [file] })),
      );
      assert.deepEqual(
        [...versions].sort((a, b) => a - b),
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
      const manifest = await store().getManifest("m_many");
      assert.equal(manifest.version, 10);
      assert.deepEqual(f.byKey(manifest.files), f.byKey(files));
    });

    it("keeps the manifests of different tables apart", async () => {
      await store().createTable(f.table("m_left"));
      await store().createTable(f.table("m_right"));
      await store().commitManifest("m_left", { add: [f.file("m_left", 1)] });
      await store().commitManifest("m_left", { add: [f.file("m_left", 2)] });
      await store().commitManifest("m_right", { add: [f.file("m_right", 1)], expectedVersion: 0 });
      assert.equal((await store().getManifest("m_left")).version, 2);
      assert.deepEqual(await store().getManifest("m_right"), {
        table: "m_right",
        version: 1,
        files: [f.file("m_right", 1)],
      });
    });
  });
}
