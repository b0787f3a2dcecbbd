import { TableBuffer } from "./table-buffer.js";

/** Acknowledged rows of one table incarnation that the metadata store does not know. */
export interface ParkedTable {
  readonly table: string;
  /** The incarnation's creation time (epoch ms). */
  readonly createdAtMs: number;
  readonly buffer: TableBuffer;
  /** When the rows were first parked (epoch ms). */
  readonly sinceMs: number;
}

/**
 * Rows whose table is missing from the metadata store (e.g. after a wiped Redis) while nobody
 * deleted it through this worker. They stay here, and in the WAL, until the table's metadata is
 * restored (then they are flushed into it) or the table is deleted.
 */
export class ParkedTables {
  readonly #parked = new Map<string, ParkedTable>();

  /** The buffer holding one incarnation's parked rows, created empty when there is none. */
  bufferOf(table: string, createdAtMs: number, nowMs: number): TableBuffer {
    const key = keyOf(table, createdAtMs);
    let parked = this.#parked.get(key);
    if (!parked) {
      parked = { table, createdAtMs, buffer: new TableBuffer(), sinceMs: nowMs };
      this.#parked.set(key, parked);
    }
    return parked.buffer;
  }

  /** Forgets one incarnation's parked rows, or every incarnation of the table. */
  discard(table: string, createdAtMs?: number): void {
    for (const parked of [...this.#parked.values()])
      if (parked.table === table && (createdAtMs === undefined || parked.createdAtMs === createdAtMs))
        this.#parked.delete(keyOf(parked.table, parked.createdAtMs));
  }

  has(table: string): boolean {
    return this.list().some((parked) => parked.table === table);
  }

  /** Every parked incarnation holding rows. */
  list(): ParkedTable[] {
    return [...this.#parked.values()].filter((parked) => parked.buffer.rowCount > 0);
  }

  /** No parked row has a lower sequence; undefined when none is parked. */
  get firstSequence(): bigint | undefined {
    let lowest: bigint | undefined;
    for (const { buffer } of this.#parked.values()) {
      const first = buffer.firstSequence;
      if (first !== undefined && (lowest === undefined || first < lowest)) lowest = first;
    }
    return lowest;
  }

  /** Lowest WAL LSN a parked row needs, or undefined. */
  get firstLsn(): bigint | undefined {
    let lowest: bigint | undefined;
    for (const { buffer } of this.#parked.values()) {
      const first = buffer.firstLsn;
      if (first !== undefined && (lowest === undefined || first < lowest)) lowest = first;
    }
    return lowest;
  }
}

function keyOf(table: string, createdAtMs: number): string {
  return `${table}\u0000${createdAtMs}`;
}
