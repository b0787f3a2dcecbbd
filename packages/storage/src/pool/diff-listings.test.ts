import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ObjectInfo } from "@miniodb/core";
import { diffListings } from "./diff-listings.js";

async function* listing(...objects: [string, number][]): AsyncIterable<ObjectInfo> {
  for (const [key, size] of objects) yield { key, size, etag: `${key}:${size}`, lastModified: new Date(0) };
}

async function keys(iterable: AsyncIterable<ObjectInfo>): Promise<string[]> {
  const result: string[] = [];
  for await (const info of iterable) result.push(info.key);
  return result;
}

describe("diffListings", () => {
  it("yields objects the target lacks or holds with another size, ignoring extra target objects", async () => {
    const source = listing(["a", 1], ["b", 2], ["c", 3], ["e", 5]);
    const target = listing(["a", 1], ["b", 20], ["d", 4], ["e", 5], ["f", 6]);
    assert.deepEqual(await keys(diffListings(source, target)), ["b", "c"]);
  });

  it("yields everything when the target is empty and nothing when the source is", async () => {
    assert.deepEqual(await keys(diffListings(listing(["a", 1], ["b", 1]), listing())), ["a", "b"]);
    assert.deepEqual(await keys(diffListings(listing(), listing(["a", 1]))), []);
  });
});
