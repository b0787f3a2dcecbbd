import type { StructPayloadReader } from "../rpc/struct-payload-reader.js";
import { DecodedPayloadsBuilder, type DecodedPayloads } from "./decoded-payloads.js";

/** The encoded Struct payloads of one StreamWrite message, copied into one buffer. */
export interface StructBatch {
  /** Payload `i` is `bytes[offsets[i], offsets[i + 1])`. */
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
}

/** Reads every payload of `batch` with `reader`, errors included. */
export function decodeStructBatch(reader: StructPayloadReader, batch: StructBatch): DecodedPayloads {
  const payloads = new DecodedPayloadsBuilder();
  const { bytes, offsets } = batch;
  for (let i = 0; i + 1 < offsets.length; i++)
    payloads.add(() => reader.read(bytes.subarray(offsets[i], offsets[i + 1])));
  return payloads.build();
}
