import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { normalizeTableConfig, type TableEntry } from "@miniodb/core";
import { ParquetFileWriter } from "@miniodb/executor";
import { EmbeddedMetadataStore } from "@miniodb/metadata";
import { LocalObjectStore } from "@miniodb/storage";
import type { ParquetWriter } from "./flush/parquet-writer-port.js";
import { WriteAheadLog } from "./wal/write-ahead-log.js";
import { Worker } from "./worker.js";

const rows = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, payload: { i, text: "x".repeat(40) } }));

/** The real Parquet writer, held at a gate so a flush stays in progress until the test opens it. */
function gatedWriter(writer: ParquetFileWriter) {
  let open!: () => void;
  let entered!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const started = new Promise<void>((resolve) => (entered = resolve));
  const gated: ParquetWriter = {
    write: async (request) => {
      entered();
      await gate;
      return writer.write(request);
    },
  };
  return { gated, open, started };
}

describe("Worker backpressure", () => {
  it("holds writes while more than maxBufferedBytes wait behind a running flush, and loses none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "miniodb-backpressure-"));
    mkdirSync(join(dir, "scratch"));
    const metadata = await EmbeddedMetadataStore.create({ path: join(dir, "metadata.db") });
    const objects = await LocalObjectStore.create({ root: join(dir, "objects") });
    const writer = await ParquetFileWriter.create({ workDirectory: join(dir, "scratch"), threads: 1 });
    const { gated, open, started } = gatedWriter(writer);
    const table: TableEntry = {
      name: "t",
      config: normalizeTableConfig({ bufferSize: 10 }),
      createdAt: new Date(1_000),
    };
    await metadata.createTable(table);
    const worker = await Worker.start({
      nodeId: "node-1",
      metadata,
      objects,
      writer: gated,
      wal: await WriteAheadLog.open({ directory: join(dir, "wal") }),
      scratchDirectory: join(dir, "scratch"),
      flushCheckIntervalMs: 60_000,
      maxBufferedBytes: 2_000,
    });
    try {
      // Reaching buffer_size starts a flush, which the gate holds.
      assert.equal((await worker.write(table, rows(10, "a"))).written, 10);
      await started;
      // Under the limit: acknowledged at once, and now far above it (100 rows of ~90 bytes).
      assert.equal((await worker.write(table, rows(100, "b"))).written, 100);
      let settled = false;
      const held = worker.write(table, rows(1, "c")).finally(() => (settled = true));
      await sleep(300);
      assert.equal(settled, false, "a write above the limit waits for the running flush");
      open();
      assert.equal((await held).written, 1);
      await worker.close();
      const manifest = await metadata.getManifest("t");
      assert.equal(
        manifest.files.reduce((sum, file) => sum + file.rowCount, 0),
        111,
      );
    } finally {
      open();
      await worker.close();
      await writer.close();
    }
  });
});
