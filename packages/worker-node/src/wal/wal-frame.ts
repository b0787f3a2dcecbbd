import { crc32 } from "node:zlib";

/**
 * The on-disk framing of the write-ahead log.
 *
 * A WAL segment starts with the 8-byte magic `MDBWAL01` (format version 1), followed by frames:
 *
 *     u32 LE  payload length
 *     u32 LE  CRC-32 (zlib) of the length field followed by the payload
 *     ...     payload
 *
 * The checksum covers the length so that no frame is all zeros: a zero-filled tail (what some
 * file systems show after a power loss for an extension that never reached the disk) is never
 * read as empty frames.
 *
 * A crash can leave the last frame half written (a torn tail). Decoding stops at the first frame
 * that is incomplete or fails its checksum and says where valid data ends, so recovery can cut
 * the segment there. A bad frame followed by more data is corruption, not a torn tail, and is
 * reported as such: silently cutting there would drop acknowledged records. A tail of nothing but
 * zero bytes holds no frame and counts as torn.
 */
export const WAL_MAGIC = Buffer.from("MDBWAL01", "latin1");
export const FRAME_HEADER_BYTES = 8;
/** Frames claiming more than this are treated as garbage, not as a request to read 4 GiB. */
export const MAX_FRAME_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** How a decoded segment ends. */
export type WalTail = "clean" | "torn" | "corrupt";

export interface DecodedWal {
  /** Payloads of the valid frames, in order. */
  readonly frames: Buffer[];
  /** Bytes from the segment start (magic included) up to the end of the last valid frame. */
  readonly validBytes: number;
  readonly tail: WalTail;
}

/** Encodes one payload as a frame, ready to append. */
export function encodeWalFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD_BYTES) {
    throw new RangeError(`WAL frame of ${payload.length} bytes exceeds ${MAX_FRAME_PAYLOAD_BYTES}`);
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(frameChecksum(frame.subarray(0, 4), payload), 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Decodes a whole segment (magic + frames). A wrong magic is corruption, unless the segment is all zeros. */
export function decodeWalSegment(segment: Buffer): DecodedWal {
  if (segment.length < WAL_MAGIC.length) {
    // A crash while creating the segment: nothing in it was ever acknowledged.
    const torn = WAL_MAGIC.subarray(0, segment.length).equals(segment);
    return { frames: [], validBytes: 0, tail: torn ? "torn" : "corrupt" };
  }
  if (!segment.subarray(0, WAL_MAGIC.length).equals(WAL_MAGIC)) {
    return { frames: [], validBytes: 0, tail: isZeroFilled(segment) ? "torn" : "corrupt" };
  }
  const frames: Buffer[] = [];
  let offset = WAL_MAGIC.length;
  while (offset < segment.length) {
    const status = frameAt(segment, offset);
    if (status.kind !== "ok") {
      const tail = status.kind === "corrupt" && isZeroFilled(segment.subarray(offset)) ? "torn" : status.kind;
      return { frames, validBytes: offset, tail };
    }
    frames.push(status.payload);
    offset = status.next;
  }
  return { frames, validBytes: offset, tail: "clean" };
}

type FrameStatus = { kind: "ok"; payload: Buffer; next: number } | { kind: "torn" | "corrupt" };

function frameAt(segment: Buffer, offset: number): FrameStatus {
  if (segment.length - offset < FRAME_HEADER_BYTES) return { kind: "torn" };
  const length = segment.readUInt32LE(offset);
  const checksum = segment.readUInt32LE(offset + 4);
  const start = offset + FRAME_HEADER_BYTES;
  const end = start + length;
  if (length > MAX_FRAME_PAYLOAD_BYTES) return { kind: end >= segment.length ? "torn" : "corrupt" };
  if (end > segment.length) return { kind: "torn" };
  const payload = segment.subarray(start, end);
  if (frameChecksum(segment.subarray(offset, offset + 4), payload) !== checksum)
    return { kind: end === segment.length ? "torn" : "corrupt" };
  return { kind: "ok", payload, next: end };
}

function frameChecksum(lengthField: Uint8Array, payload: Uint8Array): number {
  return crc32(payload, crc32(lengthField));
}

function isZeroFilled(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}
