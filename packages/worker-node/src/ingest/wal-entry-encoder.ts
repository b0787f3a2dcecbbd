import { partitionOf, Utf8Writer } from "@miniodb/core";
import type { TimeRange } from "../buffer/table-buffer.js";
import type { PreparedRecord } from "./record-preparer.js";
import { rowLineHead } from "./row-line.js";
import { sequenceDecimals } from "./sequence-decimals.js";
import { walBatchHead, type WalBatch } from "./wal-batch.js";

const NEWLINE = 0x0a;
const SCRATCH_BYTES = 1 << 20;
/** A larger scratch buffer (grown for one large write) is not kept for the next. */
const MAX_KEPT_SCRATCH_BYTES = 1 << 24;
/** Entries with a longer head line give the buffer a copy of their rows. */
const MAX_SHARED_HEAD_BYTES = 1024;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;

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
  #out = new Utf8Writer(SCRATCH_BYTES);

  encode(
    batch: Omit<WalBatch, "lines">,
    records: readonly PreparedRecord[],
    firstSequence: bigint,
  ): EncodedWalEntry {
    const out = this.#out;
    out.reset();
    out.text(walBatchHead(batch));
    const rowsStart = out.length + 1;
    const sequences = sequenceDecimals(firstSequence, records.length);
    const partitions = new Array<string>(records.length);
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const timestamp = record.timestampMicros;
      out.byte(NEWLINE);
      this.#rowLine(record, sequences[i]!);
      partitions[i] = partitionOf(timestamp);
      if (timestamp < min) min = timestamp;
      if (timestamp > max) max = timestamp;
    }
    const payload = out.copy();
    // The buffer keeps `rows` until the flush: a view of a large head (a keyed write's stored
    // result, with every id) would keep that alive too, uncounted.
    const rows =
      rowsStart > MAX_SHARED_HEAD_BYTES
        ? Buffer.copyBytesFrom(payload, rowsStart)
        : payload.subarray(Math.min(rowsStart, payload.length));
    if (out.capacity > MAX_KEPT_SCRATCH_BYTES) this.#out = new Utf8Writer(SCRATCH_BYTES);
    return { payload, rows, partitions, timeRange: { min, max } };
  }

  /** `{"id":…,"timestamp":…,"__miniodb_seq":"…"` then the payload's keys, as encodeRowLine. */
  #rowLine(record: PreparedRecord, sequence: string): void {
    const out = this.#out;
    out.text(rowLineHead(record, sequence));
    // The payload's text starts with "{": overwritten by "," before its first key, or, for an
    // empty payload, by the "}" that closes the line.
    const start = out.length;
    const { utf8 } = record.payload;
    if (utf8) out.bytes(utf8);
    else out.text(record.payload.json);
    if (out.length - start === 2) {
      out.setByte(start, CLOSE_BRACE);
      out.truncate(start + 1);
    } else out.setByte(start, COMMA);
  }
}
