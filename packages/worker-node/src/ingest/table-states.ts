import type { MetadataStore, TableEntry } from "@miniodb/core";
import { DroppedTables } from "../buffer/dropped-tables.js";
import { ParkedTables } from "../buffer/parked-tables.js";
import { tableGone } from "./table-errors.js";
import { TableState } from "./table-state.js";

export interface TableStatesOptions {
  readonly metadata: MetadataStore;
  readonly nodeId: string;
  readonly now: () => number;
}

/**
 * A worker's table states, one per table (its current incarnation), with the rows of the
 * incarnations the metadata store lost (parked) and the incarnations this worker dropped.
 */
export class TableStates {
  /** Rows of tables the metadata store lost (not deleted through this worker). */
  readonly parked = new ParkedTables();
  readonly dropped = new DroppedTables();
  readonly #tables = new Map<string, TableState>();
  readonly #options: TableStatesOptions;

  constructor(options: TableStatesOptions) {
    this.#options = options;
  }

  get(name: string): TableState | undefined {
    return this.#tables.get(name);
  }

  names(): string[] {
    return [...this.#tables.keys()];
  }

  values(): IterableIterator<TableState> {
    return this.#tables.values();
  }

  delete(name: string): void {
    this.#tables.delete(name);
  }

  /** Forgets the table's state if it is of that incarnation (a drop marker in the WAL). */
  forget(name: string, createdAtMs: number): void {
    if (this.#tables.get(name)?.entry.createdAt.getTime() === createdAtMs) this.#tables.delete(name);
  }

  /** The table's state if this incarnation of it has one already (see stateOf). */
  current(table: TableEntry): TableState | undefined {
    const state = this.#tables.get(table.name);
    if (!state) return undefined;
    const known = state.entry.createdAt.getTime();
    if (known === table.createdAt.getTime()) return state;
    // A write still holding an earlier incarnation of a recreated table must not replace it.
    if (known > table.createdAt.getTime()) throw tableGone(table.name);
    // The table was recreated: the earlier incarnation's rows go, or are parked if it was lost.
    this.retire(state);
    return undefined;
  }

  /** The state of this incarnation of the table, created (with its schema loaded) when missing. */
  async stateOf(table: TableEntry): Promise<TableState> {
    const existing = this.current(table);
    if (existing) return existing;
    const { metadata, nodeId, now } = this.#options;
    const schema = await metadata.getSchema(table.name);
    // Another write may have created the state while the schema was loading.
    const raced = this.current(table);
    if (raced) return raced;
    const state = new TableState(table, schema, nodeId, () => now() * 1000);
    this.#tables.set(table.name, state);
    return state;
  }

  /**
   * Takes a table state out of service: its rows are forgotten if this worker dropped the
   * incarnation, and parked otherwise. Returns the number of rows parked for it.
   */
  retire(state: TableState): number {
    const { name, createdAt } = state.entry;
    if (this.#tables.get(name) === state) this.#tables.delete(name);
    if (this.dropped.has(name, createdAt.getTime())) return 0;
    const nowMs = this.#options.now();
    const parked = this.parked.bufferOf(name, createdAt.getTime(), nowMs);
    const snapshot = state.buffer.take();
    if (snapshot) parked.adopt(snapshot, nowMs);
    return parked.rowCount;
  }

  /**
   * Why a flush failed for good, if it did: `live` when the table is still there (a passing
   * failure: the rows stay buffered), `dropped` when this worker deleted it (e.g. a write slipped
   * in while the table was being dropped: its rows go with the table), `missing` when the
   * metadata store lost it without a delete (wiped, or restored from a backup): the rows are kept.
   */
  async fateOf(state: TableState): Promise<"live" | "dropped" | "missing"> {
    const { name, createdAt } = state.entry;
    const entry = await this.#options.metadata.getTable(name).catch(() => state.entry);
    if (entry && entry.createdAt.getTime() === createdAt.getTime()) return "live";
    return this.dropped.has(name, createdAt.getTime()) ? "dropped" : "missing";
  }

  /** Rows of the table parked under any incarnation; undefined when none is parked. */
  parkedRows(name: string): number | undefined {
    const parked = this.parked.list().filter((entry) => entry.table === name);
    if (parked.length === 0) return undefined;
    return parked.reduce((sum, entry) => sum + entry.buffer.rowCount, 0);
  }

  /** Bytes of rows buffered across tables, not counting those being flushed. */
  bufferedBytes(): number {
    let total = 0;
    for (const state of this.#tables.values()) total += state.buffer.bytes;
    return total;
  }

  /**
   * The LSN of the oldest WAL entry whose rows are not yet in object storage (buffered, being
   * flushed or parked), or `nextLsn` when there is none.
   */
  walKeepFrom(nextLsn: bigint): bigint {
    let keepFrom = nextLsn;
    for (const state of this.#tables.values()) {
      const first = state.buffer.firstLsn;
      if (first !== undefined && first < keepFrom) keepFrom = first;
    }
    const parked = this.parked.firstLsn;
    if (parked !== undefined && parked < keepFrom) keepFrom = parked;
    return keepFrom;
  }

  /** Stores each table's latest write time, only when it changed since the last check. */
  async persistLastWrites(): Promise<void> {
    for (const state of this.#tables.values()) {
      const lastWriteMs = state.lastWriteMs;
      if (lastWriteMs === undefined || lastWriteMs === state.persistedLastWriteMs) continue;
      await this.#options.metadata.touchTable(state.entry.name, new Date(lastWriteMs)).then(
        () => (state.persistedLastWriteMs = lastWriteMs),
        () => undefined,
      );
    }
  }
}
