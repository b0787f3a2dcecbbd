import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { create, fromBinary, toBinary, type JsonObject } from "@bufbuild/protobuf";
import { MiniodbError, type SerializedPayload } from "@miniodb/core";
import { DataRecordSchema } from "@miniodb/proto";
import { DataRecordViewSchema } from "@miniodb/proto/views";
import type { RecordInput } from "@miniodb/worker-node";
import { pino } from "pino";
import fc from "fast-check";
import { decodePayloadBatch } from "./payload-decode-batch.js";
import { PayloadDecodeThread } from "./payload-decode-thread-client.js";
import { StructBytes } from "./proto-convert.js";
import { StructPayloadReader } from "./struct-payload-reader.js";

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
      return reader.read(bytes);
    } catch (error) {
      return `${(error as MiniodbError).code}: ${(error as MiniodbError).message}`;
    }
  });
}

function outcomes(records: readonly RecordInput[]): Array<SerializedPayload | string> {
  return records.map((record) => {
    try {
      return record.encodedPayload!.serialize();
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

const recordsOf = (payloads: readonly Uint8Array[], reader: StructPayloadReader): RecordInput[] =>
  payloads.map((bytes, index) => ({
    id: `r-${index}`,
    timestampMicros: undefined,
    encodedPayload: new StructBytes(bytes, reader),
  }));

const payloadArbitrary = fc.dictionary(
  fc.constantFrom("name", "age", "city", "tags", "nested", "score"),
  fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer())),
) as fc.Arbitrary<JsonObject>;

describe("decodePayloadBatch", () => {
  it("gives each payload's text and one shape per run of payloads with the same keys and types", () => {
    const payloads = [
      encode({ a: 1, b: "x" }),
      encode({ a: 2, b: "y" }),
      MALFORMED,
      encode({ a: "3", b: "z" }),
    ];
    const bytes = Buffer.concat(payloads);
    const offsets = Int32Array.from([
      0,
      ...payloads.map((_, i) => payloads.slice(0, i + 1).reduce((n, p) => n + p.length, 0)),
    ]);
    const decoded = decodePayloadBatch(new StructPayloadReader(), { id: 7, bytes, offsets });
    assert.equal(decoded.id, 7);
    assert.deepEqual(decoded.json, ['{"a":1,"b":"x"}', '{"a":2,"b":"y"}', "", '{"a":"3","b":"z"}']);
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

describe("PayloadDecodeThread", () => {
  const thread = new PayloadDecodeThread(pino({ enabled: false }));
  after(() => thread.close());

  it("settles every payload as the reader on this thread reads it, errors included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(payloadArbitrary.map(encode), fc.constant(MALFORMED)), { maxLength: 50 }),
        async (payloads) => {
          const records = recordsOf(payloads, notOnThisThread);
          await thread.decode(records);
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
    await Promise.all(records.map((batch) => thread.decode(batch)));
    records.forEach((batch, index) => assert.deepEqual(outcomes(batch), inline(batches[index]!)));
  });

  it("leaves the payloads to the main thread once closed", async () => {
    const closed = new PayloadDecodeThread(pino({ enabled: false }));
    await closed.close();
    const payloads = [encode({ late: true }), MALFORMED];
    const records = recordsOf(payloads, new StructPayloadReader());
    await closed.decode(records);
    assert.deepEqual(outcomes(records), inline(payloads));
  });
});
