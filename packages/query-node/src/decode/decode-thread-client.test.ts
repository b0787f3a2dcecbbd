import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { create, fromBinary, toBinary, type JsonObject } from "@bufbuild/protobuf";
import { MiniodbError, type SerializedPayload } from "@miniodb/core";
import { DataRecordSchema } from "@miniodb/proto";
import { DataRecordViewSchema, StreamWriteRequestViewSchema } from "@miniodb/proto/views";
import { decodeRowBlock, rowBlockOfLines, type RecordInput } from "@miniodb/worker-node";
import { pino } from "pino";
import fc from "fast-check";
import { DataRecordReader } from "../rpc/data-record-reader.js";
import { StructBytes } from "../rpc/proto-convert.js";
import { StructPayloadReader } from "../rpc/struct-payload-reader.js";
import { payloadFields } from "../test-support/payload-fields.js";
import { DecodeThread, InlineDecoder } from "./decode-thread-client.js";
import type { RestBatch } from "./rest-batch.js";
import { decodeStructBatch, structBatchOf } from "./struct-batch.js";

/** The payload bytes a client sends for `payload`, as the server's view receives them. */
function encode(payload: JsonObject): Uint8Array {
  const bytes = toBinary(DataRecordSchema, create(DataRecordSchema, { id: "x", payload }));
  return fromBinary(DataRecordViewSchema, bytes).payload!;
}

/** Not a Struct: a map entry (field 1) whose length runs past the end. */
const MALFORMED = Uint8Array.of(0x0a, 0x7f, 0x01);

/** What reading each payload on this thread gives: the payload, or the error it throws. */
function inline(payloads: readonly Uint8Array[]): Array<SerializedPayload | string> {
  const reader = new StructPayloadReader();
  return payloads.map((bytes) => {
    try {
      return payloadFields(reader.read(bytes));
    } catch (error) {
      return `${(error as MiniodbError).code}: ${(error as MiniodbError).message}`;
    }
  });
}

function outcomes(records: readonly RecordInput[]): Array<SerializedPayload | string> {
  return records.map((record) => {
    if (record.encodedPayload === undefined) return `left to the writer: ${JSON.stringify(record.payload)}`;
    try {
      return payloadFields(record.encodedPayload.serialize());
    } catch (error) {
      assert.ok(error instanceof MiniodbError);
      return `${error.code}: ${error.message}`;
    }
  });
}

/** A reader for payloads that must have been read on the thread already. */
const notOnThisThread = {
  read: () => assert.fail("a payload was read on the main thread"),
} as unknown as StructPayloadReader;

/**
 * StreamWrite records as the server reads them: one encoded message, decoded as the write view,
 * each record read by a DataRecordReader (their payloads lie in the message's buffer, each record
 * in a view of its own). With `shared` false, each payload is in a buffer of its own instead.
 */
function recordsOf(
  payloads: readonly Uint8Array[],
  reader: StructPayloadReader,
  shared = true,
): RecordInput[] {
  if (!shared)
    return payloads.map((bytes, index) => ({
      id: `r-${index}`,
      timestampMicros: undefined,
      encodedPayload: new StructBytes(Uint8Array.from(bytes), 0, bytes.length, reader),
    }));
  const records = payloads.map((payload, index) =>
    toBinary(DataRecordViewSchema, create(DataRecordViewSchema, { id: `r-${index}`, payload })),
  );
  const message = toBinary(
    StreamWriteRequestViewSchema,
    create(StreamWriteRequestViewSchema, { table: "t", records }),
  );
  const recordReader = new DataRecordReader(reader);
  return fromBinary(StreamWriteRequestViewSchema, message).records.map((bytes) => recordReader.read(bytes));
}

const payloadArbitrary = fc.dictionary(
  fc.constantFrom("name", "age", "city", "tags", "nested", "score"),
  fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer())),
) as fc.Arbitrary<JsonObject>;

describe("decodeStructBatch", () => {
  it("copies a message's payloads in one span of its buffer", () => {
    const payloads = [encode({ a: 1 }), encode({ b: "two" }), encode({ c: [3] })];
    const records = recordsOf(payloads, new StructPayloadReader());
    const batch = structBatchOf(records.map((record) => record.encodedPayload as StructBytes));
    const sizes = payloads.reduce((sum, payload) => sum + payload.length, 0);
    assert.ok(
      batch.bytes.length > sizes,
      "the ids between the payloads came along: one span, not each payload",
    );
    assert.deepEqual(
      Array.from(batch.starts, (start, i) => batch.bytes.subarray(start, batch.ends[i])),
      payloads.map((payload) => Uint8Array.from(payload)),
    );
  });

  it("gives each payload's text and one shape per run of payloads with the same keys and types", () => {
    const payloads = [
      encode({ a: 1, b: "x" }),
      encode({ a: 2, b: "y" }),
      MALFORMED,
      encode({ a: "3", b: "z" }),
    ];
    const bytes = Buffer.concat(payloads);
    const ends = Int32Array.from(payloads, (_, i) =>
      payloads.slice(0, i + 1).reduce((n, p) => n + p.length, 0),
    );
    const starts = Int32Array.from(ends, (end, i) => end - payloads[i]!.length);
    const decoded = decodeStructBatch(new StructPayloadReader(), { bytes, starts, ends });
    const texts = [...decoded.ends].map((end, i) =>
      Buffer.from(decoded.utf8.subarray(decoded.ends[i - 1] ?? 0, end)).toString("utf8"),
    );
    assert.deepEqual(texts, ['{"a":1,"b":"x"}', '{"a":2,"b":"y"}', "", '{"a":"3","b":"z"}']);
    assert.deepEqual([...decoded.shapeOf], [0, 0, -1, 1]);
    assert.deepEqual(decoded.shapes, [
      { keys: ["a", "b"], types: ["BIGINT", "VARCHAR"] },
      { keys: ["a", "b"], types: ["VARCHAR", "VARCHAR"] },
    ]);
    assert.deepEqual(
      decoded.failures.map((failure) => [failure.index, failure.code]),
      [[2, "invalid_argument"]],
    );
  });
});

describe("DecodeThread", () => {
  const thread = new DecodeThread(pino({ enabled: false }));
  after(() => thread.close());

  it("settles every payload as the reader on this thread reads it, errors included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(payloadArbitrary.map(encode), fc.constant(MALFORMED)), { maxLength: 50 }),
        fc.boolean(),
        async (payloads, shared) => {
          const records = recordsOf(payloads, notOnThisThread, shared);
          await thread.decodeStructs(records);
          assert.deepEqual(outcomes(records), inline(payloads));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("answers batches sent together, each with its own payloads", async () => {
    const batches = Array.from({ length: 20 }, (_, batch) =>
      Array.from({ length: 30 }, (_, row) => encode({ batch, row, name: `n-${batch}-${row}` })),
    );
    const records = batches.map((payloads) => recordsOf(payloads, notOnThisThread));
    await Promise.all(records.map((batch) => thread.decodeStructs(batch)));
    records.forEach((batch, index) => assert.deepEqual(outcomes(batch), inline(batches[index]!)));
  });

  it("leaves the payloads to the main thread once closed", async () => {
    const closed = new DecodeThread(pino({ enabled: false }));
    await closed.close();
    const payloads = [encode({ late: true }), MALFORMED];
    const records = recordsOf(payloads, new StructPayloadReader());
    await closed.decodeStructs(records);
    assert.deepEqual(outcomes(records), inline(payloads));
    const body = { bytes: new TextEncoder().encode('{"id":"a","payload":{"n":1}}'), ndjson: true };
    assert.deepEqual(
      plain(await closed.readRestBatch(body)),
      plain(await new InlineDecoder().readRestBatch(body)),
    );
  });

  it("reads REST batch bodies as they are read on this thread, errors included", async () => {
    const item = fc.oneof(
      fc.record(
        {
          id: fc.oneof(fc.string(), fc.integer()),
          timestamp: fc.constantFrom("2026-01-02T03:04:05.678Z", "yesterday"),
          payload: fc.oneof(payloadArbitrary, fc.constant("x"), fc.constant(null)),
        },
        { requiredKeys: ["payload"] },
      ),
      fc.constant(7),
    );
    const bodies = fc.oneof(
      fc.array(item, { maxLength: 20 }).map((items) => ({
        text: items.map((i) => JSON.stringify(i)).join("\n") + "\n{broken",
        ndjson: true,
      })),
      fc.array(item, { maxLength: 20 }).map((items) => ({ text: JSON.stringify(items), ndjson: false })),
      fc
        .array(item, { maxLength: 20 })
        .map((items) => ({ text: JSON.stringify({ table: "t1", records: items }), ndjson: false })),
      fc.constantFrom(
        { text: "", ndjson: false },
        { text: "[1,", ndjson: false },
        { text: '{"records": 3}', ndjson: false },
      ),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async ({ text, ndjson }) => {
        const body = () => ({ bytes: new TextEncoder().encode(text), ndjson });
        const settle = (read: Promise<RestBatch>) =>
          read.then(plain, (error: unknown) => {
            assert.ok(error instanceof MiniodbError);
            return `${error.code}: ${error.message}`;
          });
        assert.deepEqual(
          await settle(thread.readRestBatch(body())),
          await settle(new InlineDecoder().readRestBatch(body())),
        );
      }),
      { numRuns: 60 },
    );
  });

  it("writes a batch of complete records as row-block lines holding exactly its records", async () => {
    const records = fc.array(
      fc.record({
        id: fc.string({ minLength: 1 }),
        timestamp: fc.constantFrom(undefined, "2026-01-02T03:04:05.678Z", "2026-11-01T00:00:00.000001Z"),
        payload: payloadArbitrary,
      }),
      { minLength: 1, maxLength: 20 },
    );
    await fc.assert(
      fc.asyncProperty(records, fc.boolean(), async (items, ndjson) => {
        const text = ndjson ? items.map((i) => JSON.stringify(i)).join("\n") : JSON.stringify(items);
        const bytes = () => new TextEncoder().encode(text);
        const batch = await thread.readRestBatch({ bytes: bytes(), ndjson, rowLines: true });
        assert.ok(batch.rowLines, "every item is a complete record");
        const all = batch.rowLines.ids.map((_, index) => index);
        const fromLines = decodeRowBlock(rowBlockOfLines(batch.rowLines.lines, all)).map((record, index) => ({
          index,
          id: record.id,
          timestampMicros: record.timestampMicros,
          payload: outcomes([record])[0],
        }));
        assert.deepEqual(
          fromLines,
          plain(await new InlineDecoder().readRestBatch({ bytes: bytes(), ndjson })).records,
        );
      }),
      { numRuns: 40 },
    );
  });

  it("writes no row-block lines for a batch with an item that is not a complete record", async () => {
    for (const items of [
      [{ id: "a", payload: { n: 1 } }, { payload: { n: 2 } }],
      [
        { id: "a", payload: { n: 1 } },
        { id: "b", payload: "x" },
      ],
      [
        { id: "a", payload: { n: 1 } },
        { id: "b", timestamp: 1e20, payload: { n: 2 } },
      ],
      [{ id: "a", payload: { n: 1 } }, 7],
    ]) {
      const body = { bytes: new TextEncoder().encode(JSON.stringify(items)), ndjson: false, rowLines: true };
      assert.equal((await thread.readRestBatch(body)).rowLines, undefined, JSON.stringify(items));
    }
  });
});

/** A batch with each record's payload read (or its error): comparable with deepEqual. */
function plain(batch: RestBatch) {
  return {
    table: batch.table,
    parseErrors: batch.parseErrors,
    records: batch.records.map(({ index, record }) => ({
      index,
      id: record.id,
      timestampMicros: record.timestampMicros,
      payload: outcomes([record])[0],
    })),
  };
}
