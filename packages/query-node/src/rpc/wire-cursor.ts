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

/** Slots of a `StringInterner` (a power of two). */
const INTERN_SLOTS = 2048;
/** Longest string an interner keeps. */
const INTERN_MAX_BYTES = 48;

/**
 * A direct-mapped cache of short ASCII strings that need no JSON escapes, by their bytes: payload
 * keys (and many values) repeat from record to record, and a hit costs a byte comparison instead
 * of a new string. A slot holds the last string that hashed to it.
 */
export class StringInterner {
  readonly #slots = new Array<string | undefined>(INTERN_SLOTS).fill(undefined);

  /** The string of `bytes[start, end)` (plain ASCII), shared with earlier reads of the same bytes. */
  intern(bytes: Uint8Array, start: number, end: number, hash: number): string {
    const slot = (hash ^ (end - start)) & (INTERN_SLOTS - 1);
    const cached = this.#slots[slot];
    if (cached !== undefined && cached.length === end - start && sameAscii(cached, bytes, start))
      return cached;
    const text = latin1(bytes, start, end);
    this.#slots[slot] = text;
    return text;
  }
}

function sameAscii(text: string, bytes: Uint8Array, start: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return end - start <= INTERN_MAX_BYTES
    ? String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[])
    : Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
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

  readonly #interner: StringInterner;

  constructor(bytes: Uint8Array, interner: StringInterner) {
    this.bytes = bytes;
    this.pos = 0;
    this.#interner = interner;
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

  /** A bool varint: true when any of its bits is set (protobuf-es reads all 64). */
  bool(): boolean {
    const start = this.pos;
    this.varint();
    for (let i = start; i < this.pos; i++) if ((this.bytes[i]! & 0x7f) !== 0) return true;
    return false;
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
    let hash = 0;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      if (byte >= 0x80) return this.#utf8(start, end);
      if (byte < 0x20 || byte === 0x22 || byte === 0x5c) plain = false;
      hash = (Math.imul(hash, 31) + byte) | 0;
    }
    this.pos = end;
    this.plain = plain;
    return plain && end - start <= INTERN_MAX_BYTES
      ? this.#interner.intern(bytes, start, end, hash)
      : latin1(bytes, start, end);
  }

  /** A string field's text like `string`, without keeping it (for values that rarely repeat). */
  text(end: number): string {
    const bytes = this.bytes;
    for (let i = this.pos; i < end; i++) if (bytes[i]! >= 0x80) return this.#utf8(this.pos, end);
    const text = latin1(bytes, this.pos, end);
    this.pos = end;
    return text;
  }

  /** An int64 varint as a number (exact within ±2^53), two's complement for negative values. */
  int64(): number {
    const bytes = this.bytes;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      const byte = bytes[this.pos++];
      if (byte === undefined) throw malformedPayload("truncated varint");
      const bits = byte & 0x7f;
      if (i < 4) low |= bits << (7 * i);
      else if (i === 4) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else high |= bits << (7 * i - 32);
      if (byte < 0x80) return (high | 0) * 4294967296 + (low >>> 0);
    }
    throw malformedPayload("varint longer than 10 bytes");
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
