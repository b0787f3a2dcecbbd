import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MiniodbError } from "./miniodb-error.js";
import { ShardRing, shardOf } from "./shard-ring.js";

const nodeIds = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), {
  minLength: 1,
  maxLength: 12,
});

describe("shardOf", () => {
  it("is stable across calls and independent of the ring", () => {
    assert.equal(shardOf("users", "user-1"), shardOf("users", "user-1"));
    // Pinned: the placement of existing data depends on this value never changing.
    assert.equal(shardOf("users", "user-1", 4096), 2208);
  });

  it("separates table and id, so ('ab','c') and ('a','bc') may land apart", () => {
    const differ = Array.from({ length: 50 }, (_, i) => `x${i}`).some(
      (suffix) => shardOf(`ab${suffix}`, "c") !== shardOf("ab", `${suffix}c`),
    );
    assert.ok(differ);
  });

  it("spreads ids evenly over shards", () => {
    const counts = new Array<number>(64).fill(0);
    for (let i = 0; i < 64_000; i++) counts[shardOf("events", `id-${i}`, 64)]!++;
    assert.ok(Math.min(...counts) > 850 && Math.max(...counts) < 1150, String(counts));
  });
});

describe("ShardRing", () => {
  it("assigns every shard to a member, deterministically", () => {
    fc.assert(
      fc.property(nodeIds, (nodes) => {
        const ring = ShardRing.build(nodes, { shardCount: 256, virtualNodes: 16 });
        const again = ShardRing.build([...nodes].reverse(), { shardCount: 256, virtualNodes: 16 });
        for (let shard = 0; shard < 256; shard++) {
          const owner = ring.ownerOf(shard as never);
          assert.ok(nodes.includes(owner));
          assert.equal(again.ownerOf(shard as never), owner);
        }
      }),
    );
  });

  it("names for many records of a table the owners ownerOfRecord names one by one", () => {
    fc.assert(
      fc.property(
        nodeIds,
        fc.string({ maxLength: 20 }),
        fc.array(fc.string({ maxLength: 30 })),
        (nodes, table, ids) => {
          const ring = ShardRing.build(nodes, { shardCount: 512, virtualNodes: 8 });
          const ownerOf = ring.ownersOfRecords(table);
          for (const id of ids) assert.equal(ownerOf(id), ring.ownerOfRecord(table, id));
        },
      ),
    );
  });

  it("balances shards within 25% of the mean with the default virtual nodes", () => {
    const nodes = Array.from({ length: 8 }, (_, i) => `worker-${i}`);
    const ring = ShardRing.build(nodes);
    const mean = ring.shardCount / nodes.length;
    for (const node of nodes) {
      const owned = ring.shardsOf(node).length;
      assert.ok(Math.abs(owned - mean) / mean < 0.25, `${node} owns ${owned}, mean ${mean}`);
    }
  });

  it("moves only shards that go to a joining node, about 1/N of them", () => {
    fc.assert(
      fc.property(nodeIds, fc.stringMatching(/^new-[a-z0-9]{1,8}$/), (nodes, joining) => {
        const before = ShardRing.build(nodes);
        const after = before.withNode(joining);
        const moves = before.movesTo(after);
        for (const move of moves) assert.equal(move.to, joining);
        assert.equal(moves.length, after.shardsOf(joining).length);
        const expected = before.shardCount / after.nodes.length;
        assert.ok(moves.length < expected * 1.5, `${moves.length} moved, expected ~${expected}`);
      }),
      { numRuns: 40 },
    );
  });

  it("moves only the shards of a leaving node", () => {
    fc.assert(
      fc.property(
        nodeIds.filter((nodes) => nodes.length >= 2),
        fc.nat(),
        (nodes, pick) => {
          const leaving = nodes[pick % nodes.length]!;
          const before = ShardRing.build(nodes);
          const after = before.withoutNode(leaving);
          const moves = before.movesTo(after);
          for (const move of moves) assert.equal(move.from, leaving);
          assert.equal(moves.length, before.shardsOf(leaving).length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("routes a record to the owner of its shard", () => {
    const ring = ShardRing.build(["a", "b", "c"]);
    const shard = ring.shardOf("orders", "o-42");
    assert.equal(ring.ownerOfRecord("orders", "o-42"), ring.ownerOf(shard));
  });

  it("reports an empty ring as unavailable", () => {
    const ring = ShardRing.build([]);
    assert.ok(ring.isEmpty);
    assert.throws(
      () => ring.ownerOfRecord("t", "1"),
      (error: unknown) => MiniodbError.is(error, "unavailable"),
    );
  });

  it("rejects bad options and shards out of range", () => {
    assert.throws(() => ShardRing.build(["a"], { shardCount: 0 }), /shardCount/);
    assert.throws(() => ShardRing.build(["a"], { virtualNodes: 1.5 }), /virtualNodes/);
    assert.throws(() => ShardRing.build([""]), /node id/);
    const ring = ShardRing.build(["a"], { shardCount: 8 });
    assert.throws(() => ring.ownerOf(8 as never), /outside/);
    assert.throws(() => ring.movesTo(ShardRing.build(["a"], { shardCount: 16 })), /shard counts/);
  });
});
