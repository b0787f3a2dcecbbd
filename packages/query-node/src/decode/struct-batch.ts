import type { StructPayloadReader } from "../rpc/struct-payload-reader.js";
import { DecodedPayloadsBuilder, type DecodedPayloads } from "./decoded-payloads.js";

/** The encoded Struct payloads of one StreamWrite message, copied into one buffer. */
export interface StructBatch {
  /** Payload `i` is `bytes[starts[i], ends[i])`. */
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** Reads every payload of `batch` with `reader`, errors included. */
export function decodeStructBatch(reader: StructPayloadReader, batch: StructBatch): DecodedPayloads {
  const payloads = new DecodedPayloadsBuilder();
  const { bytes, starts, ends } = batch;
  for (let i = 0; i < starts.length; i++) payloads.add(() => reader.read(bytes.subarray(starts[i], ends[i])));
  return payloads.build();
}
