import { Utf8Payload, type ColumnType, type SerializedPayload } from "@miniodb/core";
import { hasSpecialKey, MAX_STRUCT_DEPTH } from "./struct-key-order.js";
import type { StringInterner } from "./wire-cursor.js";
import { WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireCursor } from "./wire-cursor.js";

const ENTRY_TAG = (1 << 3) + WIRE_LEN;
const VALUE_TAG = (2 << 3) + WIRE_LEN;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Thrown inside the writer when a payload needs the exact (slower) reader; never escapes. */
const NEEDS_EXACT_READER: unique symbol = Symbol("needs the exact reader");

/**
 * The fast path of `StructPayloadReader`: writes an encoded `google.protobuf.Struct`'s JSON text
 * into one reused byte buffer and hands out a copy of those bytes, copying plain ASCII strings
 * (keys and values) byte for byte instead of creating a string per field.
 *
 * It handles the payloads clients send: every Value sets one field of its oneof, every map entry
 * has at most one key and one value, no object has a repeated key, `__proto__` or a key that
 * starts with a digit. For anything else, and for malformed bytes, `write` returns `undefined`
 * and the exact reader decides (its output and errors are the reference; the tests compare both).
 *
 * The keys and types arrays of a payload with the same top-level shape as the previous one are
 * the previous payload's arrays (callers never change them).
 */
export class StructJsonWriter {
  readonly #interner: StringInterner;
  #out = Buffer.allocUnsafe(1 << 16);
  #pos = 0;
  /** Top-level keys and types of the payload being written, and of the previous one. */
  #keys: string[] = [];
  #types: Array<ColumnType | undefined> = [];
  #lastKeys: readonly string[] = [];
  #lastTypes: ReadonlyArray<ColumnType | undefined> = [];
  /** Column type of the last value written. */
  #type: ColumnType | undefined = undefined;

  constructor(interner: StringInterner) {
    this.#interner = interner;
  }

  write(bytes: Uint8Array): SerializedPayload | undefined {
    this.#pos = 0;
    this.#keys = [];
    this.#types = [];
    try {
      this.#struct(new WireCursor(bytes, this.#interner), 0, bytes.length, 1, true);
    } catch {
      // NEEDS_EXACT_READER, or malformed bytes: the exact reader reports those its own way.
      return undefined;
    }
    if (!this.#sameShape()) {
      if (hasSpecialKey(this.#keys)) return undefined;
      this.#lastKeys = this.#keys;
      this.#lastTypes = this.#types;
    }
    // A copy (from Buffer's pool for small payloads): the output buffer is reused.
    return new Utf8Payload(Buffer.from(this.#out.subarray(0, this.#pos)), this.#lastKeys, this.#lastTypes);
  }

  /** Whether the keys and types just read equal the previous payload's. */
  #sameShape(): boolean {
    const keys = this.#keys;
    const types = this.#types;
    const lastKeys = this.#lastKeys;
    const lastTypes = this.#lastTypes;
    if (keys.length !== lastKeys.length) return false;
    for (let i = 0; i < keys.length; i++)
      if (keys[i] !== lastKeys[i] || types[i] !== lastTypes[i]) return false;
    return true;
  }

  #struct(cursor: WireCursor, start: number, end: number, depth: number, top: boolean): void {
    if (depth > MAX_STRUCT_DEPTH) throw NEEDS_EXACT_READER;
    const keys: string[] = top ? this.#keys : [];
    this.#byte(0x7b);
    cursor.pos = start;
    let first = true;
    while (cursor.pos < end) {
      const tag = cursor.varint();
      if (tag !== ENTRY_TAG) {
        cursor.skip(tag & 7, end, Math.floor(tag / 8));
        continue;
      }
      const entryEnd = cursor.delimitedEnd(end);
      if (!first) this.#byte(COMMA);
      first = false;
      keys.push(this.#entry(cursor, entryEnd, depth, top));
      cursor.pos = entryEnd;
    }
    this.#byte(0x7d);
    // The top level's keys are checked once per shape (see #shape).
    if (!top && hasSpecialKey(keys)) throw NEEDS_EXACT_READER;
  }

  /** One map entry as `"key":value`; returns the key. */
  #entry(cursor: WireCursor, end: number, depth: number, top: boolean): string {
    let keyStart = -1;
    let keyEnd = -1;
    let valueStart = -1;
    let valueEnd = -1;
    while (cursor.pos < end) {
      const tag = cursor.varint();
      if (tag === ENTRY_TAG) {
        if (keyStart >= 0) throw NEEDS_EXACT_READER;
        keyEnd = cursor.delimitedEnd(end);
        keyStart = cursor.pos;
        cursor.pos = keyEnd;
      } else if (tag === VALUE_TAG) {
        if (valueStart >= 0) throw NEEDS_EXACT_READER;
        valueEnd = cursor.delimitedEnd(end);
        valueStart = cursor.pos;
        cursor.pos = valueEnd;
      } else cursor.skip(tag & 7, end, Math.floor(tag / 8));
    }
    let key = "";
    // A top-level key is most often the previous payload's key at the same place: comparing its
    // bytes with that string is cheaper than reading (and interning) the key again.
    const previous = top ? this.#lastKeys[this.#keys.length] : undefined;
    if (previous !== undefined && isPlainKey(previous, cursor.bytes, keyStart, keyEnd)) {
      key = previous;
      this.#plainString(cursor.bytes, keyStart, keyEnd);
    } else if (keyStart >= 0) {
      cursor.pos = keyStart;
      key = cursor.string(keyEnd);
      if (cursor.plain) this.#plainString(cursor.bytes, keyStart, keyEnd);
      else this.#text(JSON.stringify(key));
    } else this.#ascii2(QUOTE, QUOTE);
    this.#byte(COLON);
    this.#type = undefined;
    if (valueStart >= 0) this.#value(cursor, valueStart, valueEnd, depth + 1);
    else this.#latin1("null");
    if (top) this.#types.push(this.#type);
    return key;
  }

  /** A `google.protobuf.Value` with at most one of its oneof fields set. */
  #value(cursor: WireCursor, start: number, end: number, depth: number): void {
    if (depth > MAX_STRUCT_DEPTH) throw NEEDS_EXACT_READER;
    cursor.pos = start;
    let field = 0;
    let wireType = 0;
    let fieldStart = -1;
    while (cursor.pos < end) {
      const tag = cursor.varint();
      const number = Math.floor(tag / 8);
      if (number >= 1 && number <= 6) {
        if (fieldStart >= 0) throw NEEDS_EXACT_READER;
        field = number;
        wireType = tag & 7;
        fieldStart = cursor.pos;
      }
      cursor.skip(tag & 7, end, number);
    }
    this.#type = undefined;
    if (fieldStart < 0) return this.#latin1("null");
    cursor.pos = fieldStart;
    if (field >= 5) {
      if (wireType !== WIRE_LEN) throw NEEDS_EXACT_READER;
      const fieldEnd = cursor.delimitedEnd(end);
      if (field === 5) this.#struct(cursor, cursor.pos, fieldEnd, depth + 1, false);
      else this.#list(cursor, cursor.pos, fieldEnd, depth + 1);
      this.#type = "JSON";
    } else this.#scalar(cursor, field, wireType, end);
  }

  /** null_value (1), number_value (2), string_value (3), bool_value (4). */
  #scalar(cursor: WireCursor, field: number, wireType: number, end: number): void {
    const expected = field === 2 ? WIRE_FIXED64 : field === 3 ? WIRE_LEN : WIRE_VARINT;
    if (wireType !== expected) throw NEEDS_EXACT_READER;
    if (field === 1) {
      cursor.varint();
      this.#latin1("null");
    } else if (field === 2) {
      const number = cursor.double(end);
      this.#latin1(Number.isFinite(number) ? String(number) : "null");
      this.#type = Number.isSafeInteger(number) ? "BIGINT" : "DOUBLE";
    } else if (field === 3) {
      const stringEnd = cursor.delimitedEnd(end);
      const stringStart = cursor.pos;
      if (isPlainAscii(cursor.bytes, stringStart, stringEnd)) {
        this.#plainString(cursor.bytes, stringStart, stringEnd);
        cursor.pos = stringEnd;
      } else {
        const text = cursor.string(stringEnd);
        this.#text(cursor.plain ? `"${text}"` : JSON.stringify(text));
      }
      this.#type = "VARCHAR";
    } else {
      this.#latin1(cursor.bool() ? "true" : "false");
      this.#type = "BOOLEAN";
    }
  }

  /** A ListValue (field 1: repeated Value) as a JSON array. */
  #list(cursor: WireCursor, start: number, end: number, depth: number): void {
    if (depth > MAX_STRUCT_DEPTH) throw NEEDS_EXACT_READER;
    this.#byte(0x5b);
    cursor.pos = start;
    let first = true;
    while (cursor.pos < end) {
      const tag = cursor.varint();
      if (tag !== ENTRY_TAG) {
        cursor.skip(tag & 7, end, Math.floor(tag / 8));
        continue;
      }
      const valueEnd = cursor.delimitedEnd(end);
      if (!first) this.#byte(COMMA);
      first = false;
      this.#value(cursor, cursor.pos, valueEnd, depth + 1);
      cursor.pos = valueEnd;
    }
    this.#byte(0x5d);
  }

  #reserve(bytes: number): void {
    if (this.#pos + bytes <= this.#out.length) return;
    let size = this.#out.length * 2;
    while (size < this.#pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#out.copy(grown, 0, 0, this.#pos);
    this.#out = grown;
  }

  #byte(byte: number): void {
    this.#reserve(1);
    this.#out[this.#pos++] = byte;
  }

  #ascii2(a: number, b: number): void {
    this.#reserve(2);
    this.#out[this.#pos++] = a;
    this.#out[this.#pos++] = b;
  }

  /** `bytes[start, end)` (plain ASCII) in quotes. */
  #plainString(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.#reserve(length + 2);
    const out = this.#out;
    let pos = this.#pos;
    out[pos++] = QUOTE;
    if (length > 32) {
      out.set(bytes.subarray(start, end), pos);
      pos += length;
    } else for (let i = start; i < end; i++) out[pos++] = bytes[i]!;
    out[pos++] = QUOTE;
    this.#pos = pos;
  }

  /** ASCII text (numbers, literals). */
  #latin1(text: string): void {
    this.#reserve(text.length);
    const out = this.#out;
    let pos = this.#pos;
    for (let i = 0; i < text.length; i++) out[pos++] = text.charCodeAt(i);
    this.#pos = pos;
  }

  /** Any text, as UTF-8. */
  #text(text: string): void {
    this.#reserve(text.length * 3);
    this.#pos += this.#out.write(text, this.#pos, "utf8");
  }
}

/**
 * Whether `bytes[start, end)` spell `key` and are ASCII that JSON writes without escapes (so the
 * bytes can be copied as the key's JSON text). False for an absent key (`start` < 0).
 */
function isPlainKey(key: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (start < 0 || end - start !== key.length) return false;
  for (let i = 0; i < key.length; i++) {
    const byte = bytes[start + i]!;
    if (byte !== key.charCodeAt(i) || byte < 0x20 || byte >= 0x80 || byte === QUOTE || byte === 0x5c)
      return false;
  }
  return true;
}

/** Whether `bytes[start, end)` is ASCII that JSON writes without escapes. */
function isPlainAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte < 0x20 || byte >= 0x80 || byte === QUOTE || byte === 0x5c) return false;
  }
  return true;
}
