import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serializePayload } from "@miniodb/core";
import { decodeRowLineHeader, encodeRowLine, rowLineIdLiteral } from "./row-line.js";
import { sequenceDecimals } from "./sequence-decimals.js";
import { decodeWalBatch, encodeWalBatch } from "./wal-batch.js";

describe("row lines and WAL batches", () => {
  it("encode a row as one JSON line with its sequence as a string", () => {
    const record = {
      id: 'u"1',
      timestampMicros: 1_700_000_000_123_456,
      payload: serializePayload({ name: "Ann\nB", n: 1 }),
    };
    const line = encodeRowLine(record, (2n ** 63n).toString());
    assert.ok(!line.includes("\n"));
    assert.deepEqual(JSON.parse(line), {
      id: 'u"1',
      timestamp: 1_700_000_000_123_456,
      __miniodb_seq: "9223372036854775808",
      name: "Ann\nB",
      n: 1,
    });
    assert.deepEqual(decodeRowLineHeader(line), {
      id: 'u"1',
      timestampMicros: 1_700_000_000_123_456,
      sequence: 2n ** 63n,
    });
    assert.deepEqual(JSON.parse(encodeRowLine({ ...record, payload: serializePayload({}) }, "1")), {
      id: 'u"1',
      timestamp: 1_700_000_000_123_456,
      __miniodb_seq: "1",
    });
  });

  it("give a row's id as its JSON literal without parsing the line, whatever the id holds", () => {
    for (const id of ['u"1', ',"timestamp":1', 'a\\",\\"timestamp\\":', "ä ✓ 😀", "\u2028", ""]) {
      const line = encodeRowLine(
        { id, timestampMicros: 1, payload: serializePayload({ timestamp: 2 }) },
        "3",
      );
      assert.equal(rowLineIdLiteral(line), JSON.stringify(id));
    }
  });

  it("number consecutive sequences as BigInt writes them, across carries", () => {
    for (const [first, count] of [
      [0n, 3],
      [999_999_998n, 4],
      [(1_800_000_000_000n << 20n) + 999_999_990n, 25],
      [10n ** 18n - 2n, 5],
      [2n ** 64n - 3n, 3],
    ] as const) {
      const expected = Array.from({ length: count }, (_, i) => (first + BigInt(i)).toString());
      assert.deepEqual(sequenceDecimals(first, count), expected, String(first));
    }
  });

  it("round-trip a WAL batch", () => {
    const batch = { table: "users", tableCreatedAtMs: 1234, lines: ['{"id":"a"}', '{"id":"b"}'] };
    assert.deepEqual(decodeWalBatch(encodeWalBatch(batch)), batch);
    const idempotent = { ...batch, idempotency: { key: "k-1", response: '{"written":2}', expiresAtMs: 99 } };
    assert.deepEqual(decodeWalBatch(encodeWalBatch(idempotent)), idempotent);
  });

  it("read entries of the earlier layout, which listed each row's partition", () => {
    const earlier =
      '{"table":"users","createdAt":1234,"partitions":["2026-01-01","2026-01-02"]}\n{"id":"a"}\n{"id":"b"}';
    assert.deepEqual(decodeWalBatch(Buffer.from(earlier)), {
      table: "users",
      tableCreatedAtMs: 1234,
      lines: ['{"id":"a"}', '{"id":"b"}'],
    });
  });

  it("reject a malformed batch as data loss", () => {
    assert.throws(
      () => decodeWalBatch(Buffer.from('{"table":"t","createdAt":1,"partitions":["p","q"]}\n{}')),
      /malformed WAL batch/,
    );
    assert.throws(() => decodeWalBatch(Buffer.from("users\t1\tp\n{}")), /malformed WAL batch header/);
  });
});
