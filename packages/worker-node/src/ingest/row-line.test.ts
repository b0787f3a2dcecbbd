import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeRowLineHeader, encodeRowLine } from "./row-line.js";
import { decodeWalBatch, encodeWalBatch } from "./wal-batch.js";

describe("row lines and WAL batches", () => {
  it("encode a row as one JSON line with its sequence as a string", () => {
    const record = { id: "u1", timestampMicros: 1_700_000_000_123_456, payload: { name: "Ann\nB", n: 1 } };
    const line = encodeRowLine(record, 2n ** 63n, JSON.stringify(record.payload));
    assert.ok(!line.includes("\n"));
    assert.deepEqual(JSON.parse(line), {
      id: "u1",
      timestamp: 1_700_000_000_123_456,
      __miniodb_seq: "9223372036854775808",
      name: "Ann\nB",
      n: 1,
    });
    assert.deepEqual(decodeRowLineHeader(line), {
      id: "u1",
      timestampMicros: 1_700_000_000_123_456,
      sequence: 2n ** 63n,
    });
    assert.deepEqual(JSON.parse(encodeRowLine({ ...record, payload: {} }, 1n, "{}")), {
      id: "u1",
      timestamp: 1_700_000_000_123_456,
      __miniodb_seq: "1",
    });
  });

  it("round-trip a WAL batch", () => {
    const batch = {
      table: "users",
      tableCreatedAtMs: 1234,
      partitions: ["2026-01-01", "2026-01-02"],
      lines: ['{"id":"a"}', '{"id":"b"}'],
    };
    assert.deepEqual(decodeWalBatch(encodeWalBatch(batch)), batch);
    const idempotent = { ...batch, idempotency: { key: "k-1", response: '{"written":2}', expiresAtMs: 99 } };
    assert.deepEqual(decodeWalBatch(encodeWalBatch(idempotent)), idempotent);
  });

  it("reject a malformed batch as data loss", () => {
    assert.throws(
      () => decodeWalBatch(Buffer.from('{"table":"t","createdAt":1,"partitions":["p","q"]}\n{}')),
      /malformed WAL batch/,
    );
    assert.throws(() => decodeWalBatch(Buffer.from("users\t1\tp\n{}")), /malformed WAL batch header/);
  });
});
