import type { ParkedTables } from "../buffer/parked-tables.js";
import type { TableBuffer } from "../buffer/table-buffer.js";

export interface WalFloorSources {
  /** The highest sequence the worker has handed out or observed: later rows are above it. */
  readonly lastSequence: bigint;
  readonly buffers: Iterable<TableBuffer>;
  readonly parked: ParkedTables;
  /** First sequences of the writes between taking their sequences and buffering their rows. */
  readonly writing: Iterable<bigint>;
}

/**
 * A worker's WAL low-water mark: no row its WAL holds unflushed (buffered, being flushed, parked,
 * or being logged), and no row it writes from now on, has a lower sequence.
 */
export function walFloor({ lastSequence, buffers, parked, writing }: WalFloorSources): bigint {
  let floor = lastSequence + 1n;
  const lower = (sequence: bigint | undefined) => {
    if (sequence !== undefined && sequence < floor) floor = sequence;
  };
  for (const buffer of buffers) lower(buffer.firstSequence);
  lower(parked.firstSequence);
  for (const sequence of writing) lower(sequence);
  return floor;
}
