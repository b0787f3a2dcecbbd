import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { TableBuffer } from "../buffer/table-buffer.js";
import { BufferCaptures } from "./buffer-captures.js";

const range = { min: 1, max: 2 };

function bufferWith(lines: string[]): TableBuffer {
  const buffer = new TableBuffer();
  buffer.append(
    lines,
    lines.map(() => "2024-01-01"),
    1n,
    0,
    range,
    100n,
  );
  return buffer;
}

describe("BufferCaptures", () => {
  it("reads a capture once, with the rows appended before it and none after", () => {
    const buffer = bufferWith(["a", "b"]);
    const captures = new BufferCaptures();
    const id = captures.add(buffer.capture());
    buffer.append(["c"], ["2024-01-01"], 2n, 0, range, 200n);
    const parts = [...captures.take(id, 0)];
    assert.deepEqual(
      parts.map((part) => [part.ndjson, part.rowCount]),
      [["a\nb\n", 2]],
    );
    assert.throws(
      () => [...captures.take(id, 0)],
      (error: unknown) => MiniodbError.is(error, "not_found"),
    );
  });

  it("keeps a capture read with keep for the next read, which sees the same rows", () => {
    const buffer = bufferWith(["a", "b"]);
    let now = 0;
    const captures = new BufferCaptures({ ttlMs: 100, now: () => now });
    const id = captures.add(buffer.capture());
    now = 90;
    assert.deepEqual(
      [...captures.take(id, 0, { keep: true })].map((part) => part.ndjson),
      ["a\nb\n"],
    );
    buffer.append(["c"], ["2024-01-01"], 2n, 0, range, 200n);
    now = 150;
    captures.add(buffer.capture());
    assert.deepEqual(
      [...captures.take(id, 0)].map((part) => part.ndjson),
      ["a\nb\n"],
      "the read with keep renewed its expiry",
    );
    assert.throws(
      () => [...captures.take(id, 0)],
      (error: unknown) => MiniodbError.is(error, "not_found"),
    );
  });

  it("refuses a capture past its time to live, which renew starts over", () => {
    let now = 0;
    const captures = new BufferCaptures({ ttlMs: 100, now: () => now });
    const kept = captures.add(bufferWith(["a"]).capture());
    const lapsed = captures.add(bufferWith(["b"]).capture());
    now = 90;
    captures.renew(kept);
    now = 150;
    assert.deepEqual(
      [...captures.take(kept, 0)].map((part) => part.ndjson),
      ["a\n"],
    );
    assert.throws(
      () => [...captures.take(lapsed, 0)],
      (error: unknown) => MiniodbError.is(error, "not_found"),
    );
  });

  it("leaves out rows a flush committed at or before the manifest version read after the capture", () => {
    const buffer = bufferWith(["a", "b"]);
    const captures = new BufferCaptures();
    const before = captures.add(buffer.capture());
    const after = captures.add(buffer.capture());
    const snapshot = buffer.take()!;
    snapshot.progress.fileKeys = ["t/x.parquet"];
    buffer.commit(snapshot, 7);
    assert.deepEqual([...captures.take(before, 7)], []);
    // A manifest read before the commit: the rows come from the capture, with their file keys.
    assert.deepEqual(
      [...captures.take(after, 6)].map((part) => [part.ndjson, part.fileKeys]),
      [["a\nb\n", ["t/x.parquet"]]],
    );
  });

  it("forgets captures that were not read in time", () => {
    let now = 0;
    const captures = new BufferCaptures({ ttlMs: 1_000, now: () => now });
    captures.add([]);
    now = 2_000;
    captures.add([]);
    assert.equal(captures.size, 1);
  });
});
