import { MiniodbError, type ColumnType, type ErrorCode, type SerializedPayload } from "@miniodb/core";
import type { StructPayloadReader } from "./struct-payload-reader.js";

/** The encoded Struct payloads of one StreamWrite message, copied into one buffer. */
export interface PayloadBatch {
  readonly id: number;
  /** Payload `i` is `bytes[offsets[i], offsets[i + 1])`. */
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
}

/** The top-level keys and column types a run of payloads shares. */
export interface PayloadShape {
  readonly keys: readonly string[];
  readonly types: ReadonlyArray<ColumnType | undefined>;
}

/** A payload the reader rejected, as the error it threw. */
export interface PayloadFailure {
  readonly index: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: Readonly<Record<string, string>>;
}

/**
 * What `StructPayloadReader` made of a batch, in a form that crosses threads cheaply: payload
 * `i` is `json[i]` with the keys and types of `shapes[shapeOf[i]]` (a failed payload has an empty
 * text and its error in `failures`).
 */
export interface DecodedPayloads {
  readonly id: number;
  readonly json: string[];
  readonly shapes: PayloadShape[];
  readonly shapeOf: Int32Array;
  readonly failures: PayloadFailure[];
}

/** Reads every payload of `batch` with `reader` (see DecodedPayloads). */
export function decodePayloadBatch(reader: StructPayloadReader, batch: PayloadBatch): DecodedPayloads {
  const count = batch.offsets.length - 1;
  const json = new Array<string>(count);
  const shapes: PayloadShape[] = [];
  const shapeOf = new Int32Array(count);
  const failures: PayloadFailure[] = [];
  let last: PayloadShape | undefined;
  for (let i = 0; i < count; i++) {
    let payload: SerializedPayload;
    try {
      payload = reader.read(batch.bytes.subarray(batch.offsets[i], batch.offsets[i + 1]));
    } catch (error) {
      const failure = MiniodbError.from(error);
      failures.push({ index: i, code: failure.code, message: failure.message, details: failure.details });
      json[i] = "";
      shapeOf[i] = -1;
      continue;
    }
    json[i] = payload.json;
    // The reader hands out the previous payload's arrays for a payload of the same shape.
    if (last === undefined || payload.keys !== last.keys || payload.types !== last.types) {
      last = { keys: payload.keys, types: payload.types };
      shapes.push(last);
    }
    shapeOf[i] = shapes.length - 1;
  }
  return { id: batch.id, json, shapes, shapeOf, failures };
}
