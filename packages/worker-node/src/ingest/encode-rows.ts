import { partitionOf } from "@miniodb/core";
import type { TimeRange } from "../buffer/table-buffer.js";
import type { PreparedRecord } from "./record-preparer.js";
import { encodeRowLine } from "./row-line.js";
import { sequenceDecimals } from "./sequence-decimals.js";

export interface EncodedRows {
  /** One row line per record. */
  readonly lines: string[];
  /** Day partition of each line. */
  readonly partitions: string[];
  /** Oldest and newest timestamp of the rows. */
  readonly timeRange: TimeRange;
}

/** Encodes prepared records as row lines numbered from `firstSequence`, in one pass. */
export function encodeRows(records: readonly PreparedRecord[], firstSequence: bigint): EncodedRows {
  const sequences = sequenceDecimals(firstSequence, records.length);
  const lines = new Array<string>(records.length);
  const partitions = new Array<string>(records.length);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const timestamp = record.timestampMicros;
    lines[i] = encodeRowLine(record, sequences[i]!);
    partitions[i] = partitionOf(timestamp);
    if (timestamp < min) min = timestamp;
    if (timestamp > max) max = timestamp;
  }
  return { lines, partitions, timeRange: { min, max } };
}
