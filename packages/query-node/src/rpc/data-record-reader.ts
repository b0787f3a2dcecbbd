import { MiniodbError } from "@miniodb/core";
import type { RecordInput } from "@miniodb/worker-node";
import { StructBytes } from "./proto-convert.js";
import type { StructPayloadReader } from "./struct-payload-reader.js";
import { StringInterner, WIRE_LEN, WIRE_VARINT, WireCursor } from "./wire-cursor.js";

const ID_TAG = (1 << 3) + WIRE_LEN;
const TIMESTAMP_TAG = (2 << 3) + WIRE_LEN;
const PAYLOAD_TAG = (3 << 3) + WIRE_LEN;
const SECONDS_TAG = (1 << 3) + WIRE_VARINT;
const NANOS_TAG = (2 << 3) + WIRE_VARINT;

/**
 * Reads an encoded `miniodb.v1.DataRecord` (a StreamWrite record) into a `RecordInput` without a
 * message object: the id, the timestamp (`google.protobuf.Timestamp`, occurrences merged as
 * protobuf merges a message field) and the payload Struct's bytes, read later by the worker. The
 * same fields protobuf-es decodes for `miniodb.views.v1.DataRecordView`: the last id and payload
 * win, unknown fields are skipped, strings must be UTF-8. Throws invalid_argument for bytes that
 * are not a DataRecord.
 */
export class DataRecordReader {
  readonly #payloads: StructPayloadReader;
  readonly #interner = new StringInterner();

  constructor(payloads: StructPayloadReader) {
    this.#payloads = payloads;
  }

  read(bytes: Uint8Array): RecordInput {
    try {
      return this.#read(new WireCursor(bytes, this.#interner), bytes.length);
    } catch (error) {
      const reason = error instanceof MiniodbError ? error.message.replace(/^.*?: /, "") : String(error);
      throw new MiniodbError("invalid_argument", `a record is not a valid miniodb.v1.DataRecord: ${reason}`);
    }
  }

  #read(cursor: WireCursor, end: number): RecordInput {
    let id: string | undefined;
    let seconds = 0;
    let nanos = 0;
    let timestamped = false;
    let payloadStart = -1;
    let payloadEnd = -1;
    while (cursor.pos < end) {
      const tag = cursor.varint();
      const field = Math.floor(tag / 8);
      if (tag === ID_TAG) id = cursor.text(cursor.delimitedEnd(end));
      else if (tag === PAYLOAD_TAG) {
        payloadEnd = cursor.delimitedEnd(end);
        payloadStart = cursor.pos;
        cursor.pos = payloadEnd;
      } else if (tag === TIMESTAMP_TAG) {
        const timestampEnd = cursor.delimitedEnd(end);
        timestamped = true;
        while (cursor.pos < timestampEnd) {
          const inner = cursor.varint();
          if (inner === SECONDS_TAG) seconds = cursor.int64();
          else if (inner === NANOS_TAG) nanos = cursor.int64() | 0;
          else if (inner >>> 3 === 1 || inner >>> 3 === 2) throw wrongWireType("timestamp");
          else cursor.skip(inner & 7, timestampEnd, Math.floor(inner / 8));
        }
        if (cursor.pos !== timestampEnd) throw wrongWireType("timestamp");
      } else if (field >= 1 && field <= 3) throw wrongWireType(["id", "timestamp", "payload"][field - 1]!);
      else cursor.skip(tag & 7, end, field);
    }
    return {
      id: id ?? "",
      timestampMicros: timestamped ? seconds * 1_000_000 + Math.floor(nanos / 1000) : undefined,
      encodedPayload:
        payloadStart < 0
          ? undefined
          : new StructBytes(cursor.bytes, payloadStart, payloadEnd, this.#payloads),
    };
  }
}

function wrongWireType(field: string): MiniodbError {
  return new MiniodbError("invalid_argument", `field ${field} has the wrong wire type`);
}
