import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { ObjectInfo, ObjectStore } from "@miniodb/core";
import { ObjectFileCache } from "./object-file-cache.js";

/** An in-memory store counting reads: the cache's logic is under test, not a storage backend. */
function memoryStore(objects: Record<string, string>) {
  const reads: string[] = [];
  const store = {
    async get(key: string) {
      reads.push(key);
      const body = objects[key];
      if (body === undefined) throw new Error(`no object ${key}`);
      return Buffer.from(body);
    },
  } as Partial<ObjectStore> as ObjectStore;
  return { store, reads };
}

const ref = (key: string, etag = "e1") =>
  ({ key, etag }) satisfies Pick<ObjectInfo, "etag"> & { key: string };

describe("ObjectFileCache", () => {
  const directory = () => join(mkdtempSync(join(tmpdir(), "miniodb-cache-test-")), "cache");

  it("fetches an object once and serves its local copy afterwards", async () => {
    const { store, reads } = memoryStore({ a: "aaaa" });
    const cache = await ObjectFileCache.create({ directory: directory(), objects: store, maxBytes: 100 });
    const first = await cache.acquire([ref("a")]);
    const second = await cache.acquire([ref("a")]);
    assert.equal(readFileSync(first.paths.get("a")!, "utf8"), "aaaa");
    assert.equal(second.paths.get("a"), first.paths.get("a"));
    assert.deepEqual(reads, ["a"]);
    first.release();
    second.release();
  });

  it("counts hits and misses, per lookup and per lease", async () => {
    const { store } = memoryStore({ a: "aaaa", b: "bb" });
    const lookups: Array<Array<[string, boolean]>> = [];
    const cache = await ObjectFileCache.create({
      directory: directory(),
      objects: store,
      maxBytes: 100,
      onLookups: (calls) => lookups.push(calls.map(({ key, hit }) => [key, hit])),
    });
    const first = await cache.acquire([ref("a"), ref("b")]);
    const second = await cache.acquire([ref("a")]);
    assert.equal(first.fetched, 2);
    assert.equal(second.fetched, 0);
    assert.deepEqual(lookups, [
      [
        ["a", false],
        ["b", false],
      ],
      [["a", true]],
    ]);
    assert.deepEqual(cache.stats(), {
      hits: 1,
      misses: 2,
      fetchedBytes: 6,
      bytes: 6,
      files: 2,
      maxBytes: 100,
    });
  });

  it("treats another ETag as another object", async () => {
    const { store, reads } = memoryStore({ a: "aaaa" });
    const cache = await ObjectFileCache.create({ directory: directory(), objects: store, maxBytes: 100 });
    const one = await cache.acquire([ref("a", "e1")]);
    const two = await cache.acquire([ref("a", "e2")]);
    assert.notEqual(one.paths.get("a"), two.paths.get("a"));
    assert.equal(reads.length, 2);
  });

  it("evicts the least recently used unpinned files beyond its budget, never a pinned one", async () => {
    const { store } = memoryStore({ a: "aaaaa", b: "bbbbb", c: "ccccc" });
    const cache = await ObjectFileCache.create({ directory: directory(), objects: store, maxBytes: 10 });
    const a = await cache.acquire([ref("a")]);
    const b = await cache.acquire([ref("b")]);
    b.release();
    const c = await cache.acquire([ref("c")]);
    // a is pinned, b is the least recently used free file, c is pinned.
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(existsSync(a.paths.get("a")!));
    assert.ok(!existsSync(b.paths.get("b")!));
    assert.ok(existsSync(c.paths.get("c")!));
    assert.equal(cache.bytes, 10);
    a.release();
    c.release();
  });

  it("forgets a failed fetch so a later query retries it", async () => {
    const objects: Record<string, string> = {};
    const { store, reads } = memoryStore(objects);
    const cache = await ObjectFileCache.create({ directory: directory(), objects: store, maxBytes: 100 });
    await assert.rejects(cache.acquire([ref("late")]));
    objects["late"] = "now here";
    const lease = await cache.acquire([ref("late")]);
    assert.equal(readFileSync(lease.paths.get("late")!, "utf8"), "now here");
    assert.deepEqual(reads, ["late", "late"]);
  });
});
