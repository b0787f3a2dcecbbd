import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

const VARINT = 0;
const BIT64 = 1;
const LENGTH_DELIMITED = 2;

/**
 * Encodes `miniodb.v1.DataRecord` messages (id, timestamp, Struct payload) straight into one
 * growing buffer, for result streams: a message per row through protobuf-es cost ~150 µs, this
 * a few. Nested messages reserve one length byte and are moved right in the rare case their body
 * needs more. The bytes equal protobuf-es's encoding of the same record (see the tests).
 */
export class RecordBytesWriter {
  #buffer = Buffer.allocUnsafe(1 << 16);
  #position = 0;
  #payloadAt = -1;
  readonly #ends: number[] = [];

  /** Appends one record; `micros` are epoch microseconds. */
  record(id: string | undefined, micros: number | undefined, payload: JsonObject): void {
    this.startRecord(id, micros);
    for (const key in payload) this.payloadField(key, payload[key]!);
    this.endRecord();
  }

  /** Starts a record: its id and timestamp (epoch µs); payload fields follow, then endRecord. */
  startRecord(id: string | undefined, micros: number | undefined): void {
    if (id !== undefined && id !== "") this.#string(1, id);
    if (micros !== undefined) {
      const start = this.#open(2);
      const seconds = Math.floor(micros / 1_000_000);
      const nanos = (micros - seconds * 1_000_000) * 1000;
      if (seconds !== 0) this.#tag(1, VARINT).#int64(seconds);
      if (nanos !== 0) this.#tag(2, VARINT).#varint(nanos);
      this.#close(start);
    }
    this.#payloadAt = this.#open(3);
  }

  payloadField(key: string, value: JsonValue): void {
    const entry = this.#open(1);
    this.#string(1, key);
    const valueAt = this.#open(2);
    this.#value(value);
    this.#close(valueAt);
    this.#close(entry);
  }

  endRecord(): void {
    this.#close(this.#payloadAt);
    this.#ends.push(this.#position);
  }

  /** The records written since the last call, each its own view of one shared copy. */
  take(): Uint8Array[] {
    const copy = Buffer.from(this.#buffer.subarray(0, this.#position));
    let start = 0;
    const records = this.#ends.map((end) => {
      const record = copy.subarray(start, end);
      start = end;
      return record;
    });
    this.#ends.length = 0;
    this.#position = 0;
    return records;
  }

  /** Struct `fields`: map entries `{key = 1, value = 2}` under field 1. */
  #fields(object: JsonObject): void {
    for (const key in object) this.payloadField(key, object[key]!);
  }

  #value(value: JsonValue): void {
    switch (typeof value) {
      case "number":
        this.#tag(2, BIT64).#ensure(8);
        this.#buffer.writeDoubleLE(value, this.#position);
        this.#position += 8;
        return;
      case "string":
        this.#string(3, value);
        return;
      case "boolean":
        this.#tag(4, VARINT).#varint(value ? 1 : 0);
        return;
      case "object":
        if (value === null) this.#tag(1, VARINT).#varint(0);
        else if (Array.isArray(value)) {
          const list = this.#open(6);
          for (const item of value) {
            const element = this.#open(1);
            this.#value(item);
            this.#close(element);
          }
          this.#close(list);
        } else {
          const struct = this.#open(5);
          this.#fields(value);
          this.#close(struct);
        }
    }
  }

  #string(field: number, text: string): void {
    this.#tag(field, LENGTH_DELIMITED);
    const start = this.#position;
    this.#ensure(1 + text.length * 3);
    const length = this.#buffer.write(text, start + 1, "utf8");
    this.#position = start + 1;
    this.#finishLength(start, length);
  }

  /** Writes the tag and reserves one length byte; returns where the length goes. */
  #open(field: number): number {
    this.#tag(field, LENGTH_DELIMITED).#ensure(1);
    return this.#position++;
  }

  #close(lengthAt: number): void {
    this.#finishLength(lengthAt, this.#position - lengthAt - 1);
  }

  /** Writes the length of the body after `lengthAt`, moving the body right when it needs more bytes. */
  #finishLength(lengthAt: number, length: number): void {
    const bodyStart = lengthAt + 1;
    const bytes = varintSize(length);
    if (bytes > 1) {
      this.#ensure(bodyStart + length + bytes - 1 - this.#position);
      this.#buffer.copyWithin(bodyStart + bytes - 1, bodyStart, bodyStart + length);
    }
    this.#position = lengthAt;
    this.#varint(length);
    this.#position += length;
  }

  #tag(field: number, wireType: number): this {
    return this.#varint((field << 3) | wireType);
  }

  #varint(value: number): this {
    this.#ensure(5);
    while (value > 0x7f) {
      this.#buffer[this.#position++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.#buffer[this.#position++] = value;
    return this;
  }

  /** A signed 64-bit varint (two's complement for negatives, ten bytes). */
  #int64(value: number): this {
    this.#ensure(10);
    let remaining = BigInt.asUintN(64, BigInt(value));
    while (remaining > 0x7fn) {
      this.#buffer[this.#position++] = Number(remaining & 0x7fn) | 0x80;
      remaining >>= 7n;
    }
    this.#buffer[this.#position++] = Number(remaining);
    return this;
  }

  #ensure(extra: number): void {
    if (this.#position + extra <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#position + extra));
    this.#buffer.copy(grown, 0, 0, this.#position);
    this.#buffer = grown;
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value > 0x7f) {
    value >>>= 7;
    size++;
  }
  return size;
}
