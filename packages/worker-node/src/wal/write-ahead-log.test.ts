import assert from "node:assert/strict";
import { constants } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { parseWalSegmentName, walSegmentName } from "./wal-segment-name.js";
import { WriteAheadLog, type WalEntry } from "./write-ahead-log.js";

async function tempDirectory(t: TestContext): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "miniodb-wal-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  return join(directory, "wal");
}

async function collect(entries: AsyncIterable<WalEntry>): Promise<WalEntry[]> {
  const all: WalEntry[] = [];
  for await (const entry of entries) all.push(entry);
  return all;
}

async function segmentLsns(directory: string): Promise<bigint[]> {
  const names = await readdir(directory);
  return names.flatMap((name) => parseWalSegmentName(name) ?? []).sort((a, b) => (a < b ? -1 : 1));
}

const payloadOf = (n: number) => Buffer.from(`entry-${n}-${"x".repeat(n % 37)}`);

describe("WriteAheadLog", () => {
  it("round-trips entries across segment rollover and reopen", async (t) => {
    const directory = await tempDirectory(t);
    const wal = await WriteAheadLog.open({ directory, segmentBytes: 256 });
    const lsns: bigint[] = [];
    for (let n = 0; n < 60; n++) lsns.push(await wal.append(payloadOf(n)));
    assert.deepEqual(
      lsns,
      lsns.map((_, index) => BigInt(index + 1)),
    );
    assert.ok(wal.stats().segments > 5, `expected rollover, got ${wal.stats().segments} segment(s)`);
    const before = await collect(wal.replay());
    await wal.close();

    const reopened = await WriteAheadLog.open({ directory, segmentBytes: 256 });
    t.after(() => reopened.close());
    const after = await collect(reopened.replay());
    for (const entries of [before, after]) {
      assert.deepEqual(
        entries.map((entry) => entry.lsn),
        lsns,
      );
      assert.deepEqual(
        entries.map((entry) => entry.payload.toString()),
        lsns.map((_, n) => payloadOf(n).toString()),
      );
    }
    assert.equal(reopened.stats().segments, (await segmentLsns(directory)).length);
    assert.equal(reopened.stats().lastLsn, 60n);
  });

  it("continues LSNs after reopen and replays from a given LSN", async (t) => {
    const directory = await tempDirectory(t);
    const first = await WriteAheadLog.open({ directory });
    assert.deepEqual(await first.appendMany([Buffer.from("a"), Buffer.from("b"), Buffer.from("c")]), [
      1n,
      2n,
      3n,
    ]);
    await first.close();
    const second = await WriteAheadLog.open({ directory });
    t.after(() => second.close());
    assert.equal(await second.append(Buffer.from("d")), 4n);
    assert.deepEqual(await second.appendMany([]), []);
    const fromThree = await collect(second.replay(3n));
    assert.deepEqual(
      fromThree.map((entry) => [entry.lsn, entry.payload.toString()]),
      [
        [3n, "c"],
        [4n, "d"],
      ],
    );
    assert.deepEqual(await collect(second.replay(5n)), []);
    assert.deepEqual(
      { ...second.stats(), bytes: 0 },
      {
        segments: 1,
        bytes: 0,
        firstLsn: 1n,
        lastLsn: 4n,
        appends: 1,
        syncs: 1,
      },
    );
  });

  it("truncates only whole older segments and never the active one", async (t) => {
    const directory = await tempDirectory(t);
    const wal = await WriteAheadLog.open({ directory, segmentBytes: 200 });
    for (let n = 0; n < 40; n++) await wal.append(payloadOf(n));
    const starts = await segmentLsns(directory);
    assert.ok(starts.length > 4);
    const cut = starts[3]! + 1n; // inside the fourth segment: it holds entries below and above `cut`
    await wal.truncateBefore(cut);
    assert.deepEqual(await segmentLsns(directory), starts.slice(3));
    const replayed = await collect(wal.replay());
    assert.equal(replayed[0]!.lsn, starts[3]);
    assert.equal(replayed.at(-1)!.lsn, 40n);
    assert.equal(wal.stats().firstLsn, starts[3]);

    await wal.truncateBefore(1_000n);
    assert.deepEqual(await segmentLsns(directory), [starts.at(-1)]);
    assert.equal(await wal.append(Buffer.from("after")), 41n);
    await wal.close();

    const reopened = await WriteAheadLog.open({ directory, segmentBytes: 200 });
    t.after(() => reopened.close());
    const kept = await collect(reopened.replay());
    assert.equal(kept[0]!.lsn, starts.at(-1));
    assert.equal(kept.at(-1)!.payload.toString(), "after");
    assert.equal(await reopened.append(Buffer.from("next")), 42n);
  });

  it("group-commits concurrent appends: far fewer fsyncs than appends, log order = call order", async (t) => {
    const directory = await tempDirectory(t);
    const wal = await WriteAheadLog.open({ directory });
    t.after(() => wal.close());
    const syncsBefore = wal.stats().syncs;
    const lsns = await Promise.all(Array.from({ length: 1_000 }, (_, n) => wal.append(payloadOf(n))));
    const { appends, syncs } = wal.stats();
    assert.equal(appends, 1_000);
    assert.ok(syncs - syncsBefore < appends / 5, `${syncs - syncsBefore} fsyncs for ${appends} appends`);
    assert.deepEqual(
      lsns,
      lsns.map((_, n) => BigInt(n + 1)),
    );
    const replayed = await collect(wal.replay());
    assert.deepEqual(
      replayed.map((entry) => entry.payload.toString()),
      lsns.map((_, n) => payloadOf(n).toString()),
    );
  });

  it("reports each group commit with its entries, bytes and duration", async (t) => {
    const groups: Array<{ entries: number; bytes: number; seconds: number }> = [];
    const wal = await WriteAheadLog.open({
      directory: await tempDirectory(t),
      onGroupCommit: (group) => groups.push(group),
    });
    await Promise.all([wal.append(payloadOf(1)), wal.append(payloadOf(2)), wal.append(payloadOf(3))]);
    await wal.append(payloadOf(4));
    await wal.close();
    assert.equal(
      groups.reduce((sum, group) => sum + group.entries, 0),
      4,
    );
    assert.ok(groups.length < 4, `${groups.length} groups for 4 appends`);
    assert.equal(
      groups.reduce((sum, group) => sum + group.bytes, 0),
      wal.stats().bytes - 8 * wal.stats().segments,
    );
    assert.ok(groups.every((group) => group.seconds > 0));
  });

  it("keeps each appendMany together and in call order among concurrent appends", async (t) => {
    const directory = await tempDirectory(t);
    const wal = await WriteAheadLog.open({ directory });
    t.after(() => wal.close());
    const [a, many, b] = await Promise.all([
      wal.append(Buffer.from("a")),
      wal.appendMany([Buffer.from("m1"), Buffer.from("m2"), Buffer.from("m3")]),
      wal.append(Buffer.from("b")),
    ]);
    assert.deepEqual([a, many, b], [1n, [2n, 3n, 4n], 5n]);
    const replayed = await collect(wal.replay());
    assert.deepEqual(
      replayed.map((entry) => entry.payload.toString()),
      ["a", "m1", "m2", "m3", "b"],
    );
  });

  it("replays what was acknowledged before the call while appends go on", async (t) => {
    const directory = await tempDirectory(t);
    const wal = await WriteAheadLog.open({ directory, segmentBytes: 512 });
    t.after(() => wal.close());
    for (let n = 0; n < 30; n++) await wal.append(payloadOf(n));
    const replaying = collect(wal.replay());
    const more = Promise.all(Array.from({ length: 200 }, (_, n) => wal.append(payloadOf(30 + n))));
    const [replayed] = await Promise.all([replaying, more]);
    assert.deepEqual(
      replayed.map((entry) => entry.payload.toString()),
      Array.from({ length: 30 }, (_, n) => payloadOf(n).toString()),
    );
    assert.equal((await collect(wal.replay())).length, 230);
  });

  it("rejects a whole failed group and refuses appends until reopened", async (t) => {
    const directory = await tempDirectory(t);
    const wal = await WriteAheadLog.open({ directory, segmentBytes: 64 });
    await wal.append(Buffer.alloc(60, 1)); // the next group must start segment 2
    await mkdir(join(directory, walSegmentName(2n))); // ...whose file cannot be created
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => wal.append(Buffer.from("x"))));
    for (const result of results) {
      assert.equal(result.status, "rejected");
      assert.ok(MiniodbError.is(result.reason, "unavailable"), String(result.reason));
    }
    await assert.rejects(wal.append(Buffer.from("later")), (error) => MiniodbError.is(error, "unavailable"));
    assert.equal(wal.stats().lastLsn, 1n);
    await wal.close();

    await rm(join(directory, walSegmentName(2n)), { recursive: true });
    const reopened = await WriteAheadLog.open({ directory, segmentBytes: 64 });
    t.after(() => reopened.close());
    assert.equal(await reopened.append(Buffer.from("y")), 2n);
  });

  it("close waits for in-flight appends and then refuses new ones", async (t) => {
    const directory = await tempDirectory(t);
    const wal = await WriteAheadLog.open({ directory });
    const pending = Array.from({ length: 20 }, (_, n) => wal.append(payloadOf(n)));
    await wal.close();
    assert.equal((await Promise.all(pending)).length, 20);
    await assert.rejects(wal.append(Buffer.from("late")), (error) =>
      MiniodbError.is(error, "failed_precondition"),
    );
    await wal.close();
    const reopened = await WriteAheadLog.open({ directory });
    t.after(() => reopened.close());
    assert.equal((await collect(reopened.replay())).length, 20);
  });

  it("rejects a non-positive segment size", async (t) => {
    const directory = await tempDirectory(t);
    await assert.rejects(WriteAheadLog.open({ directory, segmentBytes: 0 }), (error) =>
      MiniodbError.is(error, "invalid_argument"),
    );
  });

  it(
    "opens durable segments so that each write is on disk when it completes (O_DSYNC)",
    { skip: process.platform !== "linux" && "reads open flags from /proc" },
    async (t) => {
      const durableDirectory = await tempDirectory(t);
      const scratchDirectory = await tempDirectory(t);
      const durable = await WriteAheadLog.open({ directory: durableDirectory, segmentBytes: 64 });
      t.after(() => durable.close());
      const scratch = await WriteAheadLog.open({ directory: scratchDirectory, sync: false });
      t.after(() => scratch.close());
      await durable.append(Buffer.alloc(60, 1));
      await durable.append(Buffer.from("rolls over to a second segment"));
      await scratch.append(Buffer.from("x"));
      const flags = await openSegmentFlags();
      const flagsIn = async (directory: string) => {
        const real = await realpath(directory);
        return [...flags].filter(([path]) => dirname(path) === real);
      };
      const durableFlags = await flagsIn(durableDirectory);
      assert.deepEqual(
        durableFlags.map(([path]) => basename(path)),
        [walSegmentName(2n)],
        "only the active segment (the second) is open",
      );
      assert.ok((durableFlags[0]![1] & constants.O_DSYNC) !== 0, "the durable segment has O_DSYNC");
      const scratchFlags = await flagsIn(scratchDirectory);
      assert.equal(scratchFlags.length, 1);
      assert.equal(scratchFlags[0]![1] & constants.O_DSYNC, 0, "a log without sync writes without O_DSYNC");
    },
  );
});

/** The open flags of this process's open WAL segment files, by path (Linux). */
async function openSegmentFlags(): Promise<Map<string, number>> {
  const flags = new Map<string, number>();
  for (const fd of await readdir("/proc/self/fd")) {
    const path = await readlink(`/proc/self/fd/${fd}`).catch(() => "");
    if (!path.endsWith(".wal")) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, "utf8").catch(() => "");
    const octal = /^flags:\s*([0-7]+)$/m.exec(info)?.[1];
    if (octal !== undefined) flags.set(path, parseInt(octal, 8));
  }
  return flags;
}
