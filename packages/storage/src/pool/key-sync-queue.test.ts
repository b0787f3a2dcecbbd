import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { KeySyncQueue } from "./key-sync-queue.js";

/** A sync whose calls the test completes or fails by hand. */
function manualSync() {
  const calls: { key: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  const sync = (key: string) => new Promise<void>((resolve, reject) => calls.push({ key, resolve, reject }));
  return { calls, sync };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("KeySyncQueue", () => {
  it("coalesces a key queued twice and reports lag by objects, bytes and age", async () => {
    let now = 1_000;
    const { calls, sync } = manualSync();
    const queue = new KeySyncQueue({ sync, concurrency: 1, retryDelayMs: 10, now: () => now });
    queue.add("a", 10);
    queue.add("b", 5);
    queue.add("b", 7);
    now = 1_250;
    assert.deepEqual(queue.lag(), { pendingObjects: 2, pendingBytes: 17, oldestPendingAgeMs: 250 });
    await tick();
    calls[0]!.resolve();
    await tick();
    calls[1]!.resolve();
    assert.equal(await queue.drain(1_000), true);
    assert.deepEqual(
      calls.map((call) => call.key),
      ["a", "b"],
    );
    assert.deepEqual(queue.lag(), { pendingObjects: 0, pendingBytes: 0, oldestPendingAgeMs: 0 });
  });

  it("syncs a key again when it was queued while its sync ran, never two at once", async () => {
    const { calls, sync } = manualSync();
    const queue = new KeySyncQueue({ sync, concurrency: 4, retryDelayMs: 10, now: () => 0 });
    queue.add("k", 1);
    await tick();
    queue.add("k", 2);
    await tick();
    assert.equal(calls.length, 1, "a second sync of the same key must wait");
    calls[0]!.resolve();
    await tick();
    await tick();
    assert.equal(calls.length, 2);
    calls[1]!.resolve();
    assert.equal(await queue.drain(1_000), true);
  });

  it("keeps a failed key with its age, records the error and retries after the delay", async () => {
    let now = 0;
    const { calls, sync } = manualSync();
    const queue = new KeySyncQueue({ sync, concurrency: 1, retryDelayMs: 5, now: () => now });
    queue.add("x", 3);
    await tick();
    now = 40;
    calls[0]!.reject(new MiniodbError("unavailable", "backup down"));
    await tick();
    assert.equal(queue.lag().pendingObjects, 1);
    assert.equal(queue.lag().oldestPendingAgeMs, 40);
    assert.equal(queue.lag().lastError?.code, "unavailable");
    while (calls.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    calls[1]!.resolve();
    assert.equal(await queue.drain(1_000), true);
    assert.equal(queue.lag().lastError, undefined);
  });

  it("holds keys while paused and reports an undrained queue", async () => {
    const { calls, sync } = manualSync();
    const queue = new KeySyncQueue({ sync, concurrency: 2, retryDelayMs: 5, now: () => 0 });
    queue.pause();
    queue.add("p", 1);
    await tick();
    assert.equal(calls.length, 0);
    assert.equal(await queue.drain(20), false);
    queue.remove("p");
    assert.equal(queue.has("p"), false);
    assert.equal(await queue.drain(20), true);
  });
});
