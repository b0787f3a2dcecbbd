import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { describe, it } from "node:test";
import { WriteAheadLog } from "./write-ahead-log.js";

const WRITERS = 16;
const PAYLOAD_BYTES = 1024;
const DURATION_MS = 1_500;

describe("WAL throughput", () => {
  it(`reports appends/s and fsyncs/s for ${WRITERS} concurrent writers of 1 KiB`, async (t) => {
    const root = await mkdtemp(join(tmpdir(), "miniodb-wal-throughput-"));
    t.after(() => rm(root, { recursive: true, force: true }));
    const wal = await WriteAheadLog.open({ directory: join(root, "wal") });
    t.after(() => wal.close());
    const payload = Buffer.alloc(PAYLOAD_BYTES, 0x61);
    const before = wal.stats();
    const start = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (performance.now() - start < DURATION_MS) await wal.append(payload);
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const appends = wal.stats().appends - before.appends;
    const syncs = wal.stats().syncs - before.syncs;
    console.log(
      `WAL, ${WRITERS} writers × ${PAYLOAD_BYTES} B: ${Math.round(appends / seconds)} appends/s, ` +
        `${Math.round(syncs / seconds)} fsyncs/s, ${(appends / syncs).toFixed(1)} appends per fsync`,
    );
    assert.ok(syncs < appends, "concurrent writers share fsyncs");
  });
});
