import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ParseTreeCache } from "./parse-tree-cache.js";

describe("ParseTreeCache", () => {
  it("parses a statement once, keeps the most recently used ones and never keeps parse errors", async () => {
    const parsed: string[] = [];
    const cache = new ParseTreeCache(async (sql) => {
      parsed.push(sql);
      return sql.startsWith("bad") ? { error: true } : { error: false, statements: [{ sql }] };
    }, 2);
    const first = await cache.parse("a");
    assert.equal(await cache.parse("a"), first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen((first as { statements: object[] }).statements[0]));
    await cache.parse("b");
    await cache.parse("a"); // a is now the most recent: b goes when c arrives
    await cache.parse("c");
    await cache.parse("a");
    await cache.parse("b");
    await cache.parse("bad");
    await cache.parse("bad");
    assert.deepEqual(parsed, ["a", "b", "c", "b", "bad", "bad"]);
  });
});
