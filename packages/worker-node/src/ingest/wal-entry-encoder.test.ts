import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { partitionOf, serializePayload, Utf8Payload } from "@miniodb/core";
import fc from "fast-check";
import type { PreparedRecord } from "./record-preparer.js";
import { encodeRowLine } from "./row-line.js";
import { sequenceDecimals } from "./sequence-decimals.js";
import { decodeWalBatch, encodeWalBatch } from "./wal-batch.js";
import { WalEntryEncoder } from "./wal-entry-encoder.js";

const text = fc.string({ unit: "grapheme", maxLength: 8 });
const payloadObject = fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)), {
  maxKeys: 4,
});
const record = fc.record({
  id: text,
  timestampMicros: fc.integer({ min: 0, max: 4_000_000_000_000_000 }),
  payload: payloadObject,
  asBytes: fc.boolean(),
});

function prepared(input: { id: string; timestampMicros: number; payload: object; asBytes: boolean }) {
  const serialized = serializePayload(input.payload as Record<string, unknown>);
  const payload = input.asBytes
    ? new Utf8Payload(Buffer.from(serialized.json), serialized.keys, serialized.types)
    : serialized;
  return { id: input.id, timestampMicros: input.timestampMicros, payload } satisfies PreparedRecord;
}

describe("WalEntryEncoder", () => {
  it("writes encodeWalBatch's entry and encodeRowLine's lines byte for byte, payloads as text or bytes", () => {
    const encoder = new WalEntryEncoder();
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 8 }),
        fc.bigInt({ min: 1n, max: 2n ** 63n }),
        (inputs, first) => {
          const records = inputs.map(prepared);
          const batch = {
            table: "t",
            tableCreatedAtMs: 5,
            idempotency: { key: "k", response: "{}", expiresAtMs: 9 },
          };
          const entry = encoder.encode(batch, records, first);
          const sequences = sequenceDecimals(first, records.length);
          const lines = records.map((one, i) => encodeRowLine(one, sequences[i]!));
          assert.deepEqual(entry.payload, encodeWalBatch({ ...batch, lines }));
          assert.equal(entry.rows.toString("utf8"), lines.join("\n"));
          assert.deepEqual(decodeWalBatch(entry.payload).lines, lines);
          assert.deepEqual(
            entry.partitions,
            records.map((one) => partitionOf(one.timestampMicros)),
          );
          const stamps = records.map((one) => one.timestampMicros);
          assert.deepEqual(entry.timeRange, { min: Math.min(...stamps), max: Math.max(...stamps) });
        },
      ),
    );
  });

  it("gives the rows of an entry with a long head line memory of their own", () => {
    const encoder = new WalEntryEncoder();
    const records = [prepared({ id: "a", timestampMicros: 1, payload: { n: 1 }, asBytes: true })];
    const plain = encoder.encode({ table: "t", tableCreatedAtMs: 1 }, records, 1n);
    assert.equal(plain.rows.buffer, plain.payload.buffer, "a short head: a view of the entry");
    const idempotency = { key: "k", response: "x".repeat(4096), expiresAtMs: 1 };
    const keyed = encoder.encode({ table: "t", tableCreatedAtMs: 1, idempotency }, records, 1n);
    assert.notEqual(keyed.rows.buffer, keyed.payload.buffer);
    assert.equal(keyed.rows.toString("utf8"), plain.rows.toString("utf8"));
  });

  it("grows past its first buffer and leaves earlier entries untouched", () => {
    const encoder = new WalEntryEncoder();
    const big = prepared({ id: "a", timestampMicros: 1, payload: { s: "x".repeat(1 << 21) }, asBytes: true });
    const small = encoder.encode(
      { table: "t", tableCreatedAtMs: 1 },
      [prepared({ id: "b", timestampMicros: 1, payload: {}, asBytes: false })],
      1n,
    );
    const copy = Buffer.from(small.payload);
    const large = encoder.encode({ table: "t", tableCreatedAtMs: 1 }, [big], 2n);
    assert.deepEqual(small.payload, copy);
    assert.equal(JSON.parse(large.rows.toString("utf8")).s.length, 1 << 21);
  });
});
