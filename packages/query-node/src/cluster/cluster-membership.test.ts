import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EmbeddedMetadataStore } from "@miniodb/metadata";
import { ClusterMembership } from "./cluster-membership.js";
import { NodeHeartbeat } from "./node-heartbeat.js";

describe("ClusterMembership and NodeHeartbeat", () => {
  let directory: string;
  let metadata: EmbeddedMetadataStore;
  let now = Date.UTC(2025, 0, 1);
  const clock = () => now;
  before(async () => {
    directory = mkdtempSync(join(tmpdir(), "miniodb-membership-"));
    metadata = await EmbeddedMetadataStore.create({ path: join(directory, "metadata.db") });
  });
  after(async () => {
    await metadata.close();
    rmSync(directory, { recursive: true, force: true });
  });
  const heartbeat = (id: string, role: "worker" | "query" = "worker", address = `${id}:7070`) =>
    NodeHeartbeat.start({ metadata, id, role, address, intervalMs: 60_000, ttlMs: 5_000, now: clock });

  it("rings the active workers only; a draining worker is still listed for queries", async () => {
    const membership = await ClusterMembership.start({ metadata, pollIntervalMs: 60_000, now: clock });
    const moves: number[] = [];
    const watched = await ClusterMembership.start({
      metadata,
      pollIntervalMs: 60_000,
      now: clock,
      onChange: (previous, next) => moves.push(previous.isEmpty ? -1 : previous.movesTo(next).length),
    });
    const [w1, w2] = await Promise.all([heartbeat("w1"), heartbeat("w2"), heartbeat("q1", "query")]);
    await Promise.all([membership.refresh(), watched.refresh()]);
    assert.deepEqual(membership.ring.nodes, ["w1", "w2"]);
    assert.deepEqual(
      membership.workers.map((worker) => worker.id),
      ["w1", "w2"],
    );
    await w2!.setState("draining");
    await Promise.all([membership.refresh(), watched.refresh()]);
    assert.deepEqual(membership.ring.nodes, ["w1"]);
    assert.deepEqual(
      membership.workers.map((worker) => [worker.id, worker.state ?? "active"]),
      [
        ["w1", "active"],
        ["w2", "draining"],
      ],
    );
    assert.ok(moves.at(-1)! > 0 && moves.at(-1)! < 4096, "only the drained worker's shards moved");
    await w2!.stop();
    now += 6_000; // w1 stops renewing (interval 60 s): its entry lapses.
    await membership.refresh();
    assert.deepEqual(membership.workers, []);
    assert.throws(() => membership.requireRing(), /no worker node is available/);
    await w1!.stop();
    membership.close();
    watched.close();
  });

  it("refuses a second live node with the same id at another address", async () => {
    const first = await heartbeat("w9");
    await assert.rejects(
      heartbeat("w9", "worker", "elsewhere:7070"),
      /node id w9 is registered by a live node/,
    );
    const again = await heartbeat("w9"); // the same address: a restart of the same node
    await again.stop();
    await first.stop();
  });
  it("keeps a joining worker out of the ring but in the future ring workers check writes against", async () => {
    const membership = await ClusterMembership.start({ metadata, pollIntervalMs: 60_000, now: clock });
    const w5 = await heartbeat("w5");
    const w6 = await NodeHeartbeat.start({
      metadata,
      id: "w6",
      role: "worker",
      address: "w6:7070",
      intervalMs: 60_000,
      ttlMs: 5_000,
      now: clock,
      state: "joining",
    });
    await membership.refresh();
    assert.ok(!membership.ring.nodes.some((node) => node === "w6"));
    assert.ok(["w5", "w6"].every((id) => membership.futureRing.nodes.some((node) => node === id)));
    const moving = membership.ring.movesTo(membership.futureRing);
    assert.ok(moving.length > 0 && moving.every((move) => move.to === "w6"));
    await w6.setState("active");
    await membership.refresh();
    assert.deepEqual(membership.ring.nodes, membership.futureRing.nodes);
    assert.ok(membership.ring.nodes.some((node) => node === "w6"));
    await Promise.all([w5.stop(), w6.stop()]);
    membership.close();
  });
});
