import type { ColumnType, SerializedPayload } from "@miniodb/core";
import { malformedPayload, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WireCursor } from "./wire-cursor.js";

/**
 * protobuf-es stops at 100 nested messages per request; a payload Struct starts at depth 3
 * (request → DataRecord → Struct), so it may nest this many messages.
 */
const MAX_DEPTH = 98;

/** The entries of one Struct in wire order: key, value JSON text, value column type. */
interface Entries {
  keys: string[];
  texts: string[];
  types: Array<ColumnType | undefined>;
}

/**
 * Turns an encoded `google.protobuf.Struct` into the payload's JSON text and its top-level keys
 * and column types, without building objects: the same text `JSON.stringify` writes for the
 * JsonObject protobuf-es decodes (number formatting, string escapes, NaN and ±Infinity as
 * `null`, a repeated key keeping its first position and last value, integer-like keys first,
 * `__proto__` dropped). Throws invalid_argument for malformed bytes or invalid UTF-8.
 */
export function readStructPayload(bytes: Uint8Array): SerializedPayload {
  const entries = readStruct(new WireCursor(bytes), [0, bytes.length], 1);
  const order = entryOrder(entries.keys);
  if (order === undefined)
    return { json: objectText(entries, order), keys: entries.keys, types: entries.types };
  return {
    json: objectText(entries, order),
    keys: order.map((i) => entries.keys[i]!),
    types: order.map((i) => entries.types[i]),
  };
}

/** Reads the map entries (field 1) of a Struct given as one or more byte ranges (merged). */
function readStruct(cursor: WireCursor, ranges: readonly number[], depth: number): Entries {
  if (depth > MAX_DEPTH) throw malformedPayload(`nested deeper than ${MAX_DEPTH} messages`);
  const entries: Entries = { keys: [], texts: [], types: [] };
  for (let r = 0; r < ranges.length; r += 2) {
    cursor.pos = ranges[r]!;
    const end = ranges[r + 1]!;
    while (cursor.pos < end) {
      const tag = cursor.varint();
      if (tag === (1 << 3) + WIRE_LEN) readEntry(cursor, cursor.delimitedEnd(end), depth, entries);
      else cursor.skip(tag & 7, end, Math.floor(tag / 8));
    }
  }
  return entries;
}

/** One `map<string, Value>` entry: key (field 1) and value (field 2), each defaulting if absent. */
function readEntry(cursor: WireCursor, end: number, depth: number, entries: Entries): void {
  let key = "";
  let quoted = '""';
  let valueStart = -1;
  let valueEnd = -1;
  while (cursor.pos < end) {
    const tag = cursor.varint();
    if (tag === (1 << 3) + WIRE_LEN) {
      key = cursor.string(cursor.delimitedEnd(end));
      quoted = cursor.plain ? `"${key}"` : JSON.stringify(key);
    } else if (tag === (2 << 3) + WIRE_LEN) {
      valueEnd = cursor.delimitedEnd(end);
      valueStart = cursor.pos;
      cursor.pos = valueEnd;
    } else cursor.skip(tag & 7, end, Math.floor(tag / 8));
  }
  const value = new ValueReader();
  if (valueStart >= 0) value.read(cursor, valueStart, valueEnd, depth + 1);
  entries.keys.push(key);
  entries.texts.push(`${quoted}:${value.text}`);
  entries.types.push(value.type);
  cursor.pos = end;
}

/**
 * Reads a `google.protobuf.Value`: a oneof where the last field set wins, and where a struct or
 * list set twice in a row is merged, as protobuf merges repeated message fields.
 */
class ValueReader {
  text = "null";
  type: ColumnType | undefined = undefined;

  read(cursor: WireCursor, start: number, end: number, depth: number): void {
    if (depth > MAX_DEPTH) throw malformedPayload(`nested deeper than ${MAX_DEPTH} messages`);
    cursor.pos = start;
    let kind = 0;
    let ranges: number[] = [];
    while (cursor.pos < end) {
      const tag = cursor.varint();
      const field = Math.floor(tag / 8);
      const wireType = tag & 7;
      if (field === 5 || field === 6) {
        if (wireType !== WIRE_LEN) throw malformedPayload(`Value field ${field} has wire type ${wireType}`);
        const fieldEnd = cursor.delimitedEnd(end);
        if (kind !== field) ranges = [];
        ranges.push(cursor.pos, fieldEnd);
        cursor.pos = fieldEnd;
        kind = field;
      } else if (field >= 1 && field <= 4) {
        this.#scalar(cursor, field, wireType, end);
        kind = field;
      } else cursor.skip(wireType, end, field);
    }
    if (kind === 5) {
      const entries = readStruct(cursor, ranges, depth + 1);
      this.text = objectText(entries, entryOrder(entries.keys));
      this.type = "JSON";
    } else if (kind === 6) {
      this.text = readList(cursor, ranges, depth + 1);
      this.type = "JSON";
    }
    cursor.pos = end;
  }

  /** null_value (1), number_value (2), string_value (3), bool_value (4). */
  #scalar(cursor: WireCursor, field: number, wireType: number, end: number): void {
    const expected = field === 2 ? WIRE_FIXED64 : field === 3 ? WIRE_LEN : WIRE_VARINT;
    if (wireType !== expected) throw malformedPayload(`Value field ${field} has wire type ${wireType}`);
    if (field === 1) {
      cursor.varint();
      this.text = "null";
      this.type = undefined;
    } else if (field === 2) {
      const number = cursor.double(end);
      this.text = Number.isFinite(number) ? String(number) : "null";
      this.type = Number.isSafeInteger(number) ? "BIGINT" : "DOUBLE";
    } else if (field === 3) {
      const text = cursor.string(cursor.delimitedEnd(end));
      this.text = cursor.plain ? `"${text}"` : JSON.stringify(text);
      this.type = "VARCHAR";
    } else {
      this.text = boolVarint(cursor) ? "true" : "false";
      this.type = "BOOLEAN";
    }
  }
}

/** A bool varint: true when any of its bits is set (protobuf-es reads all 64). */
function boolVarint(cursor: WireCursor): boolean {
  const start = cursor.pos;
  cursor.varint();
  for (let i = start; i < cursor.pos; i++) if ((cursor.bytes[i]! & 0x7f) !== 0) return true;
  return false;
}

/** The JSON text of a ListValue (field 1: repeated Value), given as merged byte ranges. */
function readList(cursor: WireCursor, ranges: readonly number[], depth: number): string {
  if (depth > MAX_DEPTH) throw malformedPayload(`nested deeper than ${MAX_DEPTH} messages`);
  const texts: string[] = [];
  for (let r = 0; r < ranges.length; r += 2) {
    cursor.pos = ranges[r]!;
    const end = ranges[r + 1]!;
    while (cursor.pos < end) {
      const tag = cursor.varint();
      if (tag !== (1 << 3) + WIRE_LEN) {
        cursor.skip(tag & 7, end, Math.floor(tag / 8));
        continue;
      }
      const valueEnd = cursor.delimitedEnd(end);
      const value = new ValueReader();
      value.read(cursor, cursor.pos, valueEnd, depth + 1);
      texts.push(value.text);
    }
  }
  return `[${texts.join(",")}]`;
}

/** The object text of entries, in `order` (indexes) or in wire order. */
function objectText(entries: Entries, order: readonly number[] | undefined): string {
  const { texts } = entries;
  if (order === undefined) return `{${texts.join(",")}}`;
  return `{${order.map((i) => texts[i]).join(",")}}`;
}

/**
 * `undefined` when the keys keep their wire order in a JavaScript object (the common case: no
 * repeated key, no `__proto__`, no key that starts with a digit). Otherwise the indexes of the
 * entries a JavaScript object would hold, in its property order, found by building one: that is
 * what protobuf-es decodes into.
 */
function entryOrder(keys: readonly string[]): number[] | undefined {
  if (!hasSpecialKey(keys)) return undefined;
  const slots: Record<string, number> = {};
  keys.forEach((key, index) => (slots[key] = index));
  return Object.keys(slots).map((key) => slots[key]!);
}

/** Whether a key repeats, is `__proto__` or starts with a digit (may be an array index). */
function hasSpecialKey(keys: readonly string[]): boolean {
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57) || key === "__proto__") return true;
  }
  if (keys.length > 16) return new Set(keys).size !== keys.length;
  for (let i = 1; i < keys.length; i++) for (let j = 0; j < i; j++) if (keys[j] === keys[i]) return true;
  return false;
}
