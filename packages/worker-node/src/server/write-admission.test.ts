import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { WriteAdmission } from "./write-admission.js";

const owningAll = { unowned: async () => [] };

describe("WriteAdmission", () => {
  it("refuses records of shards it does not own, retryably, without writing", async () => {
    const admission = new WriteAdmission({ unowned: async (_table, ids) => ids.filter((id) => id === "b") });
    let wrote = false;
    await assert.rejects(
      admission.run("t", ["a", "b"], async () => (wrote = true)),
      (error: unknown) =>
        MiniodbError.is(error, "aborted") && error.retryable && error.details["reason"] === "shard_moved",
    );
    assert.equal(wrote, false);
    assert.equal(await admission.run("t", ["a"], async () => "ok"), "ok");
  });

  it("drains: waits for writes in progress, then refuses new ones as draining", async () => {
    const admission = new WriteAdmission(owningAll);
    let release!: () => void;
    const running = admission.run(
      "t",
      ["a"],
      () => new Promise<string>((resolve) => (release = () => resolve("done"))),
    );
    await new Promise((resolve) => setImmediate(resolve));
    let drained = false;
    const drain = admission.drain().then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(drained, false, "the drain waits for the write in progress");
    release();
    assert.equal(await running, "done");
    await drain;
    await assert.rejects(
      admission.run("t", ["a"], async () => "late"),
      (error: unknown) => MiniodbError.is(error, "unavailable") && error.details["reason"] === "draining",
    );
  });
  it("settles: waits for the writes admitted so far, not for later ones, and keeps admitting", async () => {
    const admission = new WriteAdmission(owningAll);
    const releases: Array<() => void> = [];
    const slow = () => new Promise<void>((resolve) => releases.push(resolve));
    const first = admission.run("t", ["a"], slow);
    await new Promise((resolve) => setImmediate(resolve));
    let settled = false;
    const settle = admission.settle().then(() => (settled = true));
    const later = admission.run("t", ["b"], slow);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(releases.length, 2, "a write after settle is admitted");
    assert.equal(settled, false);
    releases[0]!();
    await settle;
    assert.equal(settled, true, "settled without waiting for the later write");
    releases[1]!();
    await Promise.all([first, later]);
  });
});
