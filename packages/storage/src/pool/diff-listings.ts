import type { ObjectInfo } from "@miniodb/core";

/**
 * The objects of `source` that `target` lacks or holds with another size, by walking both
 * listings side by side (both come in ascending key order), so that neither is held in memory.
 * ETags are not compared: two stores compute them differently (multipart uploads, MD5 vs. file
 * stamps), while a key and a size written by our own replication always agree.
 */
export async function* diffListings(
  source: AsyncIterable<ObjectInfo>,
  target: AsyncIterable<ObjectInfo>,
): AsyncIterable<ObjectInfo> {
  const theirs = target[Symbol.asyncIterator]();
  let other = await theirs.next();
  for await (const mine of source) {
    while (!other.done && other.value.key < mine.key) other = await theirs.next();
    if (other.done || other.value.key !== mine.key || other.value.size !== mine.size) yield mine;
  }
  if (!other.done) await theirs.return?.();
}
