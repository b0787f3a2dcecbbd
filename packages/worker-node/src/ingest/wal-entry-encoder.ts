import { partitionOf } from "@miniodb/core";
import type { TimeRange } from "../buffer/table-buffer.js";
import type { PreparedRecord } from "./record-preparer.js";
import { SEQUENCE_COLUMN } from "./row-line.js";
import { sequenceDecimals } from "./sequence-decimals.js";
import { walBatchHead, type WalBatch } from "./wal-batch.js";

const NEWLINE = 0x0a;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const TIMESTAMP_KEY = `,"timestamp":`;
const SEQUENCE_KEY = `,${JSON.stringify(SEQUENCE_COLUMN)}:"`;

/** One write's WAL entry, with what the buffer needs of its rows. */
export interface EncodedWalEntry {
  /** The entry (wal-batch.ts layout): its head line, then one row line per record. */
  readonly payload: Buffer;
  /** The row lines within `payload`, joined by "\n". */
  readonly rows: Buffer;
  /** Day partition of each row. */
  readonly partitions: string[];
  /** Oldest and newest timestamp of the rows. */
  readonly timeRange: TimeRange;
}

/**
 * Writes a WAL entry and its row lines (`encodeRowLine`'s lines, byte for byte) straight into
 * UTF-8, numbering the rows from `firstSequence`. A payload read into bytes is copied as it is; a
 * payload given as text is encoded once. No string of a whole line or entry is built: encoding
 * those again was the write path's largest cost.
 */
export class WalEntryEncoder {
  /** Reused between entries; each entry is copied out at its exact size. */
  #scratch = Buffer.allocUnsafeSlow(1 << 20);
  #position = 0;

  encode(
    batch: Omit<WalBatch, "lines">,
    records: readonly PreparedRecord[],
    firstSequence: bigint,
  ): EncodedWalEntry {
    this.#position = 0;
    this.#text(walBatchHead(batch));
    const rowsStart = this.#position + 1;
    const sequences = sequenceDecimals(firstSequence, records.length);
    const partitions = new Array<string>(records.length);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const timestamp = record.timestampMicros;
      this.#byte(NEWLINE);
      this.#rowLine(record, sequences[i]!);
      partitions[i] = partitionOf(timestamp);
      if (timestamp < min) min = timestamp;
      if (timestamp > max) max = timestamp;
    }
    const payload = Buffer.allocUnsafeSlow(this.#position);
    this.#scratch.copy(payload, 0, 0, this.#position);
    const rows = payload.subarray(Math.min(rowsStart, payload.length));
    return { payload, rows, partitions, timeRange: { min, max } };
  }

  /** `{"id":…,"timestamp":…,"__miniodb_seq":"…"` then the payload's keys, as encodeRowLine. */
  #rowLine(record: PreparedRecord, sequence: string): void {
    this.#text(
      `{"id":${JSON.stringify(record.id)}${TIMESTAMP_KEY}${record.timestampMicros}${SEQUENCE_KEY}${sequence}"`,
    );
    // The payload's text starts with "{": overwritten by "," before its first key, or, for an
    // empty payload, by the "}" that closes the line.
    const start = this.#position;
    const { utf8 } = record.payload;
    if (utf8) {
      this.#reserve(utf8.length);
      this.#scratch.set(utf8, start);
      this.#position += utf8.length;
    } else this.#text(record.payload.json);
    if (this.#position - start === 2) {
      this.#scratch[start] = CLOSE_BRACE;
      this.#position = start + 1;
    } else this.#scratch[start] = COMMA;
  }

  #text(text: string): void {
    this.#reserve(text.length * 3);
    this.#position += this.#scratch.write(text, this.#position, "utf8");
  }

  #byte(byte: number): void {
    this.#reserve(1);
    this.#scratch[this.#position++] = byte;
  }

  #reserve(bytes: number): void {
    if (this.#position + bytes <= this.#scratch.length) return;
    let size = this.#scratch.length * 2;
    while (size < this.#position + bytes) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.#scratch.copy(grown, 0, 0, this.#position);
    this.#scratch = grown;
  }
}
