import type { StructBytes } from "../rpc/proto-convert.js";
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

/**
 * The payloads' bytes in one new buffer: the span of the message they were read from, in one copy,
 * when they all lie in one buffer (as a StreamWrite message's records do, each read from its own
 * view of the message); else each copied after the other.
 */
export function structBatchOf(
  payloads: readonly StructBytes[],
): StructBatch & { bytes: Uint8Array<ArrayBuffer> } {
  const buffer = payloads[0]!.source.buffer;
  const starts = new Int32Array(payloads.length);
  const ends = new Int32Array(payloads.length);
  if (payloads.every((payload) => payload.source.buffer === buffer)) {
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const { source, start, end } of payloads) {
      first = Math.min(first, source.byteOffset + start);
      last = Math.max(last, source.byteOffset + end);
    }
    for (let i = 0; i < payloads.length; i++) {
      const { source, start, end } = payloads[i]!;
      starts[i] = source.byteOffset + start - first;
      ends[i] = source.byteOffset + end - first;
    }
    // A copy: the message's buffer may be shared (a pooled Buffer), so it is never transferred.
    return { bytes: new Uint8Array(new Uint8Array(buffer, first, last - first)), starts, ends };
  }
  let size = 0;
  for (const payload of payloads) size += payload.end - payload.start;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (let i = 0; i < payloads.length; i++) {
    const { source: from, start, end } = payloads[i]!;
    bytes.set(from.subarray(start, end), offset);
    starts[i] = offset;
    offset += end - start;
    ends[i] = offset;
  }
  return { bytes, starts, ends };
}
