import assert from "node:assert/strict";
import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { encodeWalFrame, WAL_MAGIC } from "./wal-frame.js";
import { walSegmentName } from "./wal-segment-name.js";
import { WriteAheadLog, type WalEntry } from "./write-ahead-log.js";

async function tempDirectory(t: TestContext): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "miniodb-wal-recovery-"));
  t.after(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

async function payloads(wal: WriteAheadLog): Promise<string[]> {
  const all: WalEntry[] = [];
  for await (const entry of wal.replay()) all.push(entry);
  assert.deepEqual(
    all.map((entry) => entry.lsn),
    all.map((_, index) => all[0]!.lsn + BigInt(index)),
  );
  return all.map((entry) => entry.payload.toString());
}

/** Writes `count` entries `e0, e1, …` and returns the segment files, oldest first. */
async function writeLog(directory: string, count: number, segmentBytes?: number): Promise<string[]> {
  const wal = await WriteAheadLog.open({ directory, ...(segmentBytes ? { segmentBytes } : {}) });
  for (let n = 0; n < count; n++) await wal.append(Buffer.from(`e${n}`));
  await wal.close();
  return (await readdir(directory)).sort().map((name) => join(directory, name));
}

async function assertDataLoss(directory: string, file: string, offset: number): Promise<void> {
  await assert.rejects(WriteAheadLog.open({ directory }), (error) => {
    assert.ok(MiniodbError.is(error, "data_loss"), String(error));
    assert.equal(error.details["path"], file);
    assert.equal(error.details["offset"], String(offset));
    assert.match(error.message, new RegExp(`${basename(file)} at byte ${offset}`));
    return true;
  });
}

const expected = (count: number) => Array.from({ length: count }, (_, n) => `e${n}`);
const frameBytes = (payload: string) => 8 + payload.length;

describe("WAL recovery", () => {
  const tornTails: Array<[string, Buffer]> = [
    ["a partial frame header", encodeWalFrame(Buffer.from("lost")).subarray(0, 3)],
    ["a header without all of its payload", encodeWalFrame(Buffer.alloc(100, 9)).subarray(0, 50)],
    ["a whole frame whose last byte is wrong", flipLastByte(encodeWalFrame(Buffer.from("lost")))],
    ["zero bytes", Buffer.alloc(4096)],
  ];
  for (const [name, garbage] of tornTails) {
    it(`cuts a torn tail of ${name} off the last segment and continues the LSNs`, async (t) => {
      const directory = await tempDirectory(t);
      const [segment] = await writeLog(directory, 5);
      const { size } = await stat(segment!);
      await appendFile(segment!, garbage);

      const wal = await WriteAheadLog.open({ directory });
      assert.deepEqual(await payloads(wal), expected(5));
      assert.equal((await stat(segment!)).size, size);
      assert.equal(await wal.append(Buffer.from("e5")), 6n);
      await wal.close();

      const reopened = await WriteAheadLog.open({ directory });
      t.after(() => reopened.close());
      assert.deepEqual(await payloads(reopened), expected(6));
    });
  }

  it("repairs a last segment torn inside its magic (a crash while rolling over)", async (t) => {
    const directory = await tempDirectory(t);
    await writeLog(directory, 3);
    const next = join(directory, walSegmentName(4n));
    await writeFile(next, WAL_MAGIC.subarray(0, 3));
    const wal = await WriteAheadLog.open({ directory });
    t.after(() => wal.close());
    assert.deepEqual(await readFile(next), WAL_MAGIC);
    assert.equal(await wal.append(Buffer.from("e3")), 4n);
    assert.deepEqual(await payloads(wal), expected(4));
  });

  it("reports a corrupt frame in the middle of a segment as data loss and changes nothing", async (t) => {
    const directory = await tempDirectory(t);
    const [segment] = await writeLog(directory, 3);
    const bytes = await readFile(segment!);
    const offset = WAL_MAGIC.length + frameBytes("e0");
    bytes[offset + 8]! ^= 0xff; // first payload byte of "e1"
    await writeFile(segment!, bytes);
    await assertDataLoss(directory, segment!, offset);
    assert.deepEqual(await readFile(segment!), bytes);
  });

  it("reports a torn tail in a segment that is not the last as data loss", async (t) => {
    const directory = await tempDirectory(t);
    const segments = await writeLog(directory, 20, 64);
    assert.ok(segments.length > 2);
    const first = segments[0]!;
    const { size } = await stat(first);
    await truncate(first, size - 1);
    await assertDataLoss(directory, first, size - frameBytes("e?"));
  });

  it("reports a wrong magic as data loss", async (t) => {
    const directory = await tempDirectory(t);
    const [segment] = await writeLog(directory, 2);
    const bytes = await readFile(segment!);
    bytes.write("NOTAWAL!", 0, "latin1");
    await writeFile(segment!, bytes);
    await assertDataLoss(directory, segment!, 0);
  });

  it("reports a missing segment in the middle as data loss", async (t) => {
    const directory = await tempDirectory(t);
    const segments = await writeLog(directory, 20, 64);
    assert.ok(segments.length > 3);
    await rm(segments[1]!);
    await assertDataLoss(directory, segments[2]!, 0);
  });
});

function flipLastByte(frame: Buffer): Buffer {
  const copy = Buffer.from(frame);
  copy[copy.length - 1]! ^= 0x01;
  return copy;
}
