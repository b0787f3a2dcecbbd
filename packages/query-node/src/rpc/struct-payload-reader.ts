import type { ColumnType, SerializedPayload } from "@miniodb/core";
import {
  malformedPayload,
  StringInterner,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
  WireCursor,
} from "./wire-cursor.js";
import { StructJsonWriter } from "./struct-json-writer.js";
import { entryOrder, MAX_STRUCT_DEPTH } from "./struct-key-order.js";

const MAX_DEPTH = MAX_STRUCT_DEPTH;
const ENTRY_TAG = (1 << 3) + WIRE_LEN;
const VALUE_TAG = (2 << 3) + WIRE_LEN;

/** The entries of one Struct in wire order: key, `"key":value` text, value column type. */
interface Entries {
  readonly keys: string[];
  readonly texts: string[];
  readonly types: Array<ColumnType | undefined>;
}

/**
 * Turns encoded `google.protobuf.Struct` payloads into their JSON text and top-level keys and
 * column types, without building objects: the same text `JSON.stringify` writes for the
 * JsonObject protobuf-es decodes (number formatting, string escapes, NaN and ±Infinity as
 * `null`, a repeated key keeping its first position and last value, integer-like keys first,
 * `__proto__` dropped). `read` throws invalid_argument for malformed bytes or invalid UTF-8.
 *
 * One reader serves many payloads: it keeps the short strings it has seen (keys, mostly), so
 * the same key in the next record costs no new string.
 */
export class StructPayloadReader {
  readonly #interner = new StringInterner();
  readonly #fast = new StructJsonWriter(this.#interner);
  /** The last value read: its JSON text and column type. */
  #text = "null";
  #type: ColumnType | undefined = undefined;

  read(bytes: Uint8Array): SerializedPayload {
    return this.#fast.write(bytes) ?? this.readExactly(bytes);
  }

  /** The reference reader, for every payload the fast path (`StructJsonWriter`) leaves to it. */
  readExactly(bytes: Uint8Array): SerializedPayload {
    const entries = this.#struct(new WireCursor(bytes, this.#interner), [0, bytes.length], 1);
    const order = entryOrder(entries.keys);
    if (order === undefined)
      return { json: objectText(entries, order), keys: entries.keys, types: entries.types };
    return {
      json: objectText(entries, order),
      keys: order.map((i) => entries.keys[i]!),
      types: order.map((i) => entries.types[i]),
    };
  }

  /** The map entries (field 1) of a Struct given as one or more byte ranges (merged). */
  #struct(cursor: WireCursor, ranges: readonly number[], depth: number): Entries {
    if (depth > MAX_DEPTH) throw malformedPayload(`nested deeper than ${MAX_DEPTH} messages`);
    const entries: Entries = { keys: [], texts: [], types: [] };
    for (let r = 0; r < ranges.length; r += 2) {
      cursor.pos = ranges[r]!;
      const end = ranges[r + 1]!;
      while (cursor.pos < end) {
        const tag = cursor.varint();
        if (tag === ENTRY_TAG) this.#entry(cursor, cursor.delimitedEnd(end), depth, entries);
        else cursor.skip(tag & 7, end, Math.floor(tag / 8));
      }
    }
    return entries;
  }

  /** One `map<string, Value>` entry: key (field 1) and value (field 2), each defaulting if absent. */
  #entry(cursor: WireCursor, end: number, depth: number, entries: Entries): void {
    let key = "";
    let quoted = '""';
    let valueStart = -1;
    let valueEnd = -1;
    while (cursor.pos < end) {
      const tag = cursor.varint();
      if (tag === ENTRY_TAG) {
        key = cursor.string(cursor.delimitedEnd(end));
        quoted = cursor.plain ? `"${key}"` : JSON.stringify(key);
      } else if (tag === VALUE_TAG) {
        valueEnd = cursor.delimitedEnd(end);
        valueStart = cursor.pos;
        cursor.pos = valueEnd;
      } else cursor.skip(tag & 7, end, Math.floor(tag / 8));
    }
    this.#text = "null";
    this.#type = undefined;
    if (valueStart >= 0) this.#value(cursor, valueStart, valueEnd, depth + 1);
    entries.keys.push(key);
    entries.texts.push(`${quoted}:${this.#text}`);
    entries.types.push(this.#type);
    cursor.pos = end;
  }

  /**
   * A `google.protobuf.Value` into `#text` and `#type`: a oneof where the last field set wins,
   * and where a struct or list set twice in a row is merged, as protobuf merges message fields.
   */
  #value(cursor: WireCursor, start: number, end: number, depth: number): void {
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
      const entries = this.#struct(cursor, ranges, depth + 1);
      this.#text = objectText(entries, entryOrder(entries.keys));
      this.#type = "JSON";
    } else if (kind === 6) {
      this.#text = this.#list(cursor, ranges, depth + 1);
      this.#type = "JSON";
    }
    cursor.pos = end;
  }

  /** null_value (1), number_value (2), string_value (3), bool_value (4). */
  #scalar(cursor: WireCursor, field: number, wireType: number, end: number): void {
    const expected = field === 2 ? WIRE_FIXED64 : field === 3 ? WIRE_LEN : WIRE_VARINT;
    if (wireType !== expected) throw malformedPayload(`Value field ${field} has wire type ${wireType}`);
    if (field === 1) {
      cursor.varint();
      this.#text = "null";
      this.#type = undefined;
    } else if (field === 2) {
      const number = cursor.double(end);
      this.#text = Number.isFinite(number) ? String(number) : "null";
      this.#type = Number.isSafeInteger(number) ? "BIGINT" : "DOUBLE";
    } else if (field === 3) {
      const text = cursor.string(cursor.delimitedEnd(end));
      this.#text = cursor.plain ? `"${text}"` : JSON.stringify(text);
      this.#type = "VARCHAR";
    } else {
      this.#text = cursor.bool() ? "true" : "false";
      this.#type = "BOOLEAN";
    }
  }

  /** The JSON text of a ListValue (field 1: repeated Value), given as merged byte ranges. */
  #list(cursor: WireCursor, ranges: readonly number[], depth: number): string {
    if (depth > MAX_DEPTH) throw malformedPayload(`nested deeper than ${MAX_DEPTH} messages`);
    const texts: string[] = [];
    for (let r = 0; r < ranges.length; r += 2) {
      cursor.pos = ranges[r]!;
      const end = ranges[r + 1]!;
      while (cursor.pos < end) {
        const tag = cursor.varint();
        if (tag !== ENTRY_TAG) {
          cursor.skip(tag & 7, end, Math.floor(tag / 8));
          continue;
        }
        const valueEnd = cursor.delimitedEnd(end);
        this.#text = "null";
        this.#value(cursor, cursor.pos, valueEnd, depth + 1);
        texts.push(this.#text);
      }
    }
    return `[${texts.join(",")}]`;
  }
}

/** The object text of entries, in `order` (indexes) or in wire order. */
function objectText(entries: Entries, order: readonly number[] | undefined): string {
  const { texts } = entries;
  if (order === undefined) return `{${texts.join(",")}}`;
  return `{${order.map((i) => texts[i]).join(",")}}`;
}
