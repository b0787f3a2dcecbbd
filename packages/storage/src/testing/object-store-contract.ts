import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MiniodbError, type ObjectInfo, type ObjectStore } from "@miniodb/core";

/** Opens a fresh, empty store for the suite and disposes of it afterwards. */
export interface ObjectStoreFixture {
  readonly store: ObjectStore;
  readonly dispose: () => Promise<void>;
  /**
   * Why the server under the store cannot pass the atomic-overwrite check, when it is a test
   * double known not to (s3rver writes objects in place); the check is then reported as skipped.
   */
  readonly nonAtomicServer?: string;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const items: ObjectInfo[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/**
 * The behaviour every ObjectStore must have. Each implementation's test file calls this once;
 * the same suite runs against local disk, S3 and the primary/backup pool.
 */
export function describeObjectStoreContract(name: string, open: () => Promise<ObjectStoreFixture>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ObjectStoreFixture;
    let store: ObjectStore;
    before(async () => {
      fixture = await open();
      store = fixture.store;
    });
    after(async () => {
      await fixture?.store.close();
      await fixture?.dispose();
    });

    it("stores and returns bytes exactly, including empty and binary objects", async () => {
      const binary = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);
      await store.put("rt/binary.bin", binary);
      await store.put("rt/empty.bin", new Uint8Array());
      assert.deepEqual(await store.get("rt/binary.bin"), binary);
      assert.equal((await store.get("rt/empty.bin")).length, 0);
    });

    it("reports size and etag, and changes the etag when an object is rewritten", async () => {
      const first = await store.put("etag/a.txt", bytes("one"));
      assert.equal(first.key, "etag/a.txt");
      assert.equal(first.size, 3);
      assert.deepEqual(await store.head("etag/a.txt"), first);
      const second = await store.put("etag/a.txt", bytes("three"));
      assert.notEqual(second.etag, first.etag);
      assert.equal(second.size, 5);
      assert.equal(text(await store.get("etag/a.txt")), "three");
    });

    it("reads byte ranges", async () => {
      await store.put("range/r.txt", bytes("0123456789"));
      assert.equal(text(await store.get("range/r.txt", { start: 2, end: 5 })), "234");
      assert.equal(text(await store.get("range/r.txt", { start: 7 })), "789");
      assert.equal(text(await store.get("range/r.txt", { start: 8, end: 100 })), "89");
    });

    it("reports a missing object as not_found on get and undefined on head", async () => {
      await assert.rejects(store.get("missing/x"), (error: unknown) => MiniodbError.is(error, "not_found"));
      assert.equal(await store.head("missing/x"), undefined);
    });

    it("lists by prefix in ascending key order", async () => {
      for (const key of ["ls/b/2.parquet", "ls/a/1.parquet", "ls/a/10.parquet", "ls/a2/x", "lsx/other"]) {
        await store.put(key, bytes(key));
      }
      const keys = async (prefix: string) => (await collect(store.list(prefix))).map((info) => info.key);
      assert.deepEqual(await keys("ls/"), ["ls/a/1.parquet", "ls/a/10.parquet", "ls/a2/x", "ls/b/2.parquet"]);
      assert.deepEqual(await keys("ls/a"), ["ls/a/1.parquet", "ls/a/10.parquet", "ls/a2/x"]);
      assert.deepEqual(await keys("ls/a/1"), ["ls/a/1.parquet", "ls/a/10.parquet"]);
      assert.deepEqual(await keys("nothing-here/"), []);
      const listed = (await collect(store.list("ls/b/")))[0]!;
      assert.equal(listed.size, "ls/b/2.parquet".length);
    });

    it("deletes idempotently", async () => {
      await store.put("del/x", bytes("x"));
      await store.delete("del/x");
      await store.delete("del/x");
      assert.equal(await store.head("del/x"), undefined);
      assert.deepEqual(await collect(store.list("del/")), []);
    });

    it("never exposes a partial object to concurrent readers and writers", async (t) => {
      if (fixture.nonAtomicServer) return t.skip(fixture.nonAtomicServer);
      const versions = ["a", "b", "c", "d"].map((letter) => bytes(letter.repeat(200_000)));
      const seen = new Set<string>();
      await Promise.all([
        ...versions.map((body) => store.put("atomic/obj", body)),
        ...Array.from({ length: 8 }, async () => {
          const data = await store.get("atomic/obj").catch(() => undefined);
          if (data) seen.add(`${data.length}:${new Set(text(data)).size}`);
        }),
      ]);
      const final = await store.get("atomic/obj");
      assert.equal(final.length, 200_000);
      assert.equal(new Set(text(final)).size, 1);
      for (const shape of seen) assert.equal(shape, "200000:1");
    });

    it("rejects keys that are not safe relative paths", async () => {
      for (const key of ["", "/abs", "../escape", "a/../../b", "a//b", "a\\b", "a/./b", "nul\u0000x"]) {
        await assert.rejects(
          store.put(key, bytes("x")),
          (error: unknown) => MiniodbError.is(error, "invalid_argument"),
          key,
        );
      }
    });
  });
}
