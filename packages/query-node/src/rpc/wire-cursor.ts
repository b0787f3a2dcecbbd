import { MiniodbError } from "@miniodb/core";

/** Protobuf wire types. */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** Configured like protobuf-es's strict decoder, so both decode (and strip a BOM) alike. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const scratch = new DataView(new ArrayBuffer(8));

/** The invalid_argument a malformed payload is reported with. */
export function malformedPayload(reason: string): MiniodbError {
  return new MiniodbError("invalid_argument", `payload is not a valid google.protobuf.Struct: ${reason}`, {
    details: { field: "payload" },
  });
}

/**
 * A read position in protobuf-encoded bytes: the primitives a hand-written decoder needs, each
 * bounds-checked (a truncated or malformed message throws `malformedPayload`, never reads past
 * the end or loops). Strings are validated as UTF-8 the way protobuf-es validates proto3 strings.
 */
export class WireCursor {
  readonly bytes: Uint8Array;
  pos: number;
  /** Set by `string()`: whether its JSON form is the text in plain quotes (no escapes needed). */
  plain = true;

  constructor(bytes: Uint8Array, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  /** A varint up to 64 bits; returns its value when it fits 2^53, else a lossy approximation. */
  varint(): number {
    const bytes = this.bytes;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = bytes[this.pos++];
      if (byte === undefined) throw malformedPayload("truncated varint");
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw malformedPayload("varint longer than 10 bytes");
  }

  /** A length prefix; returns the end offset of the delimited bytes it announces. */
  delimitedEnd(limit: number): number {
    const length = this.varint();
    const end = this.pos + length;
    if (end > limit) throw malformedPayload("length-delimited field runs past its message");
    return end;
  }

  double(limit: number): number {
    if (this.pos + 8 > limit) throw malformedPayload("truncated double");
    for (let i = 0; i < 8; i++) scratch.setUint8(i, this.bytes[this.pos + i]!);
    this.pos += 8;
    return scratch.getFloat64(0, true);
  }

  /** A string field's text (the length prefix already read up to `end`). */
  string(end: number): string {
    const bytes = this.bytes;
    const start = this.pos;
    let plain = true;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      if (byte >= 0x80) return this.#utf8(start, end);
      if (byte < 0x20 || byte === 0x22 || byte === 0x5c) plain = false;
    }
    this.pos = end;
    this.plain = plain;
    return end - start < 32
      ? String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[])
      : Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
  }

  #utf8(start: number, end: number): string {
    this.pos = end;
    this.plain = false;
    try {
      return strictUtf8.decode(this.bytes.subarray(start, end));
    } catch {
      throw malformedPayload("a string is not valid UTF-8");
    }
  }

  /** Skips a field of an unknown number. */
  skip(wireType: number, limit: number, fieldNo: number, depth = 0): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.pos += 8;
        break;
      case WIRE_LEN:
        this.pos = this.delimitedEnd(limit);
        return;
      case WIRE_FIXED32:
        this.pos += 4;
        break;
      case WIRE_START_GROUP:
        this.#skipGroup(limit, fieldNo, depth);
        return;
      default:
        throw malformedPayload(`unexpected wire type ${wireType}`);
    }
    if (this.pos > limit) throw malformedPayload("truncated field");
  }

  #skipGroup(limit: number, fieldNo: number, depth: number): void {
    if (depth > 100) throw malformedPayload("groups nested too deeply");
    while (this.pos < limit) {
      const tag = this.varint();
      if ((tag & 7) === WIRE_END_GROUP) {
        if (Math.floor(tag / 8) !== fieldNo) throw malformedPayload("mismatched end group");
        return;
      }
      this.skip(tag & 7, limit, Math.floor(tag / 8), depth + 1);
    }
    throw malformedPayload("unterminated group");
  }
}
