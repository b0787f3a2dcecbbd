import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EmbeddedMetadataStore } from "@miniodb/metadata";
import { LocalObjectStore } from "@miniodb/storage";
import { localUnflushedRows, TableCompactor } from "@miniodb/worker-node";
import { JobTracker } from "./job-tracker.js";
import { LifecycleService } from "./lifecycle-service.js";
import { ObjectJanitor } from "./object-janitor.js";

/** Two nodes' lifecycle services over one metadata store, with a clock the test moves. */
async function twoNodes() {
  const dir = mkdtempSync(join(tmpdir(), "miniodb-lifecycle-"));
  const metadata = await EmbeddedMetadataStore.create({ path: join(dir, "metadata.db") });
  const objects = await LocalObjectStore.create({ root: join(dir, "objects") });
  const clock = { now: 1_000_000 };
  const node = (nodeId: string) => {
    const jobs = new JobTracker();
    let extraRounds = 0;
    const service = new LifecycleService({
      nodeId,
      metadata,
      compactor: new TableCompactor({
        metadata,
        objects,
        // No table exists, so nothing is ever rewritten.
        writer: { rewrite: () => Promise.reject(new Error("no table to rewrite")) },
        scratchDirectory: dir,
        buffers: localUnflushedRows({ bufferedRows: () => [] }),
        policy: { targetFileBytes: 1 << 20, minSmallFiles: 2 },
      }),
      janitor: new ObjectJanitor({ metadata, objects, graceMs: 0 }),
      jobs,
      intervalMs: 1_000,
      onTick: async () => void extraRounds++,
      now: () => clock.now,
    });
    return { service, rounds: () => jobs.list("compaction").length, extraRounds: () => extraRounds };
  };
  return { metadata, clock, a: node("a"), b: node("b") };
}

describe("LifecycleService under the lifecycle lease", () => {
  it("runs the scheduled round on the node holding the lease only, which keeps it from tick to tick", async () => {
    const { a, b, clock } = await twoNodes();
    for (let round = 0; round < 3; round++) {
      await a.service.tick();
      await b.service.tick();
      clock.now += 1_000;
    }
    assert.equal(a.rounds(), 3);
    assert.equal(a.extraRounds(), 3);
    assert.equal(b.rounds(), 0);
    assert.equal(b.extraRounds(), 0);
  });

  it("hands the lease over when its holder closes, with a new fencing token", async () => {
    const { a, b, clock, metadata } = await twoNodes();
    await a.service.tick();
    const held = await metadata.acquireLease("lifecycle", "a", new Date(clock.now), 60_000);
    await a.service.close();
    await b.service.tick();
    assert.equal(b.rounds(), 1);
    const taken = await metadata.acquireLease("lifecycle", "b", new Date(clock.now), 60_000);
    assert.equal(taken?.token, held!.token + 1);
  });

  it("lets another node take over once the holder stopped renewing for a whole lease TTL", async () => {
    const { a, b, clock } = await twoNodes();
    await a.service.tick();
    clock.now += a.service.leaseTtlMs - 1;
    await b.service.tick();
    assert.equal(b.rounds(), 0, "the lease has not expired yet");
    clock.now += 1;
    await b.service.tick();
    assert.equal(b.rounds(), 1);
    await a.service.tick();
    assert.equal(a.rounds(), 1, "the old holder no longer gets it");
  });
});
