import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serializePayload, type DataFile } from "@miniodb/core";
import { encodeRowLine } from "../ingest/row-line.js";
import { rowsOutsideManifest } from "./buffer-view.js";
import { TableBuffer } from "./table-buffer.js";

describe("TableBuffer", () => {
  it("groups rows by partition and tracks counts, bytes, age, first LSN and lowest sequence", () => {
    const buffer = new TableBuffer();
    buffer.append(["a", "bb"], ["2026-01-01", "2026-01-02"], 5n, 1000, { min: 10, max: 20 }, 500n);
    buffer.append(["c"], ["2026-01-01"], 6n, 2000, { min: 5, max: 15 }, 600n);
    assert.equal(buffer.rowCount, 3);
    assert.equal(buffer.bytes, 7);
    assert.equal(buffer.oldestAppendMs, 1000);
    assert.equal(buffer.firstLsn, 5n);
    assert.equal(buffer.firstSequence, 500n);
    assert.deepEqual(buffer.timeRange, { min: 5, max: 20 });
    assert.deepEqual([...buffer.lines()].sort(), ["a", "bb", "c"]);
  });

  it("keeps a taken snapshot's LSN and rows visible until it is committed", () => {
    const buffer = new TableBuffer();
    buffer.append(["a"], ["p"], 5n, 0, { min: 1, max: 1 }, 500n);
    const snapshot = buffer.take()!;
    buffer.append(["b"], ["p"], 9n, 0, { min: 1, max: 1 }, 900n);
    assert.equal(buffer.rowCount, 1);
    assert.equal(buffer.pendingRowCount, 1);
    assert.equal(buffer.firstLsn, 5n);
    assert.equal(buffer.firstSequence, 500n, "rows being flushed are not in storage yet");
    assert.deepEqual([...buffer.lines()], ["a", "b"]);
    buffer.commit(snapshot, 1);
    assert.equal(buffer.firstLsn, 9n);
    assert.equal(buffer.firstSequence, 900n);
    buffer.take();
    assert.equal(buffer.firstSequence, 900n);
    assert.deepEqual([...buffer.lines()], ["b"]);
  });

  it("captures as of a manifest version only when no later version committed its rows", () => {
    const buffer = new TableBuffer();
    buffer.append(["a"], ["p"], 1n, 0, { min: 1, max: 1 }, 100n);
    assert.deepEqual(
      buffer.captureAsOf(0)?.map((part) => part.length),
      [1],
    );
    const snapshot = buffer.take()!;
    buffer.append(["b"], ["p"], 2n, 0, { min: 1, max: 1 }, 200n);
    // Taken but not committed: its rows are still captured, with their progress.
    assert.equal(buffer.captureAsOf(3)?.length, 2);
    buffer.commit(snapshot, 4);
    assert.equal(buffer.captureAsOf(3), undefined);
    assert.deepEqual(
      buffer.captureAsOf(4)?.map((part) => [...part.rows.lines(part.length)]),
      [["b"]],
    );
  });

  it("puts a failed flush back in front, losing and reordering nothing", () => {
    const buffer = new TableBuffer();
    buffer.append(["a1", "a2"], ["p", "q"], 1n, 0, { min: 1, max: 1 }, 100n);
    const snapshot = buffer.take()!;
    buffer.append(["b1"], ["p"], 2n, 50, { min: 1, max: 1 }, 200n);
    buffer.restore(snapshot, 100);
    assert.equal(buffer.rowCount, 3);
    assert.equal(buffer.firstLsn, 1n);
    assert.equal(buffer.firstSequence, 100n);
    const again = buffer.take()!;
    assert.equal(again.firstSequence, 100n);
    assert.deepEqual([...again.byPartition.get("p")!.lines()], ["a1", "b1"]);
    assert.deepEqual([...again.byPartition.get("q")!.lines()], ["a2"]);
  });

  it("returns nothing to flush when empty", () => {
    assert.equal(new TableBuffer().take(), undefined);
  });
});

describe("TableBuffer captures for queries", () => {
  const manifest = (version: number, keys: string[] = []) => ({
    table: "t",
    version,
    files: keys.map((key) => ({ key }) as DataFile),
  });

  it("sees only the rows present at capture time", () => {
    const buffer = new TableBuffer();
    buffer.append(["a"], ["p"], 1n, 0, { min: 1, max: 1 }, 100n);
    const capture = buffer.capture();
    buffer.append(["b"], ["p"], 2n, 0, { min: 1, max: 1 }, 200n);
    assert.deepEqual([...rowsOutsideManifest(capture, manifest(0))], ["a"]);
  });

  it("keeps only the rows of the ids asked for", () => {
    const rows = ["x", 'y"', "x"].map((id, index) =>
      encodeRowLine({ id, timestampMicros: 1, payload: serializePayload({ n: index }) }, String(index + 1)),
    );
    const buffer = new TableBuffer();
    buffer.append(rows, ["p", "p", "p"], 1n, 0, { min: 1, max: 1 }, 100n);
    const capture = buffer.capture();
    assert.deepEqual([...rowsOutsideManifest(capture, manifest(0), ["x", "z"])], [rows[0], rows[2]]);
    assert.deepEqual([...rowsOutsideManifest(capture, manifest(0), ['y"'])], [rows[1]]);
    assert.deepEqual([...rowsOutsideManifest(capture, manifest(0), [])], []);
  });

  it("leaves out rows a flush committed before the manifest was read, keeps the others", () => {
    const buffer = new TableBuffer();
    buffer.append(["a"], ["p"], 1n, 0, { min: 1, max: 1 }, 100n);
    const capture = buffer.capture();
    const snapshot = buffer.take()!;
    buffer.append(["b"], ["p"], 2n, 0, { min: 1, max: 1 }, 200n);
    const later = buffer.capture();
    snapshot.progress.fileKeys = ["f1"];
    // The commit is in the manifest, but the flusher has not resumed yet.
    assert.deepEqual([...rowsOutsideManifest(capture, manifest(4, ["f1"]))], []);
    assert.deepEqual([...rowsOutsideManifest(later, manifest(3))], ["a", "b"]);
    buffer.commit(snapshot, 4);
    assert.deepEqual([...rowsOutsideManifest(capture, manifest(4, ["f1"]))], []);
    assert.deepEqual([...rowsOutsideManifest(capture, manifest(3))], ["a"]);
    assert.deepEqual([...rowsOutsideManifest(later, manifest(4, ["f1"]))], ["b"]);
  });

  it("follows rows a failed flush put back into the buffer", () => {
    const buffer = new TableBuffer();
    buffer.append(["a"], ["p"], 1n, 0, { min: 1, max: 1 }, 100n);
    const capture = buffer.capture();
    const failed = buffer.take()!;
    failed.progress.fileKeys = ["lost"];
    buffer.restore(failed, 0);
    assert.deepEqual([...rowsOutsideManifest(capture, manifest(2))], ["a"]);
    const retry = buffer.take()!;
    retry.progress.fileKeys = ["f2"];
    buffer.commit(retry, 3);
    assert.deepEqual([...rowsOutsideManifest(capture, manifest(3, ["f2"]))], []);
  });
});
