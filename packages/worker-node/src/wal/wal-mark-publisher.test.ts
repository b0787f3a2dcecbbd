import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EmbeddedMetadataStore } from "@miniodb/metadata";
import { WalMarkPublisher } from "./wal-mark-publisher.js";

async function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "miniodb-wal-mark-"));
  const metadata = await EmbeddedMetadataStore.create({ path: join(dir, "metadata.db") });
  let nowMs = 1_000;
  const publisher = new WalMarkPublisher({ metadata, nodeId: "w1", now: () => nowMs, refreshMs: 30_000 });
  const stored = async () =>
    (await metadata.listWalMarks()).map((mark) => [mark.sequence, mark.updatedAt.getTime()]);
  return { metadata, publisher, stored, advance: (ms: number) => (nowMs += ms) };
}

describe("WalMarkPublisher", () => {
  it("stores a mark that moved, and an unchanged one again only once it is refreshMs old", async () => {
    const f = await fixture();
    await f.publisher.publish(10n);
    assert.deepEqual(await f.stored(), [[10n, 1_000]]);
    f.advance(5_000);
    await f.publisher.refresh(10n);
    assert.deepEqual(await f.stored(), [[10n, 1_000]], "unchanged and fresh: not stored again");
    await f.publisher.refresh(25n);
    assert.deepEqual(await f.stored(), [[25n, 6_000]]);
    f.advance(30_000);
    await f.publisher.refresh(25n);
    assert.deepEqual(await f.stored(), [[25n, 36_000]], "stored again once stale");
    await f.metadata.close();
  });

  it("stores queued marks in order, and none after release removed the mark", async () => {
    const f = await fixture();
    await Promise.all([f.publisher.publish(1n), f.publisher.publish(2n), f.publisher.publish(3n)]);
    assert.deepEqual(
      (await f.stored()).map(([sequence]) => sequence),
      [3n],
    );
    await f.publisher.release();
    assert.deepEqual(await f.stored(), []);
    await f.publisher.publish(4n);
    await f.publisher.refresh(5n);
    assert.deepEqual(await f.stored(), [], "a released worker stores no mark");
    await f.metadata.close();
  });

  it("rejects a store that fails, and leaves a failed refresh for the next call", async () => {
    const f = await fixture();
    await f.metadata.close();
    await assert.rejects(f.publisher.publish(1n));
    await f.publisher.refresh(2n);
  });
});
