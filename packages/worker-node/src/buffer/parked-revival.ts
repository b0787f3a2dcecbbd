import type { MetadataStore, TableEntry } from "@miniodb/core";
import { flushedSequence } from "../flush/flushed-sequence.js";
import { decodeRowLineHeader, payloadOfRowLine } from "../ingest/row-line.js";
import type { TableState } from "../ingest/table-state.js";
import type { ParkedTables } from "./parked-tables.js";

export interface ParkedRevivalDeps {
  readonly metadata: MetadataStore;
  readonly nodeId: string;
  readonly parked: ParkedTables;
  /** The worker's live state of a table, if it has one. */
  readonly liveState: (table: string) => TableState | undefined;
  /** The worker's state of a table incarnation, created when missing. */
  readonly stateOf: (entry: TableEntry) => Promise<TableState>;
  readonly now: () => number;
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * Brings parked rows back into their table once the metadata store holds its incarnation again,
 * or an earlier one (a metadata restore from a backup taken before it was created), leaving out
 * rows the restored manifest already holds and first widening the restored schema to their
 * payloads. One run at a time; a run while another is going does nothing.
 */
export class ParkedRevival {
  readonly #deps: ParkedRevivalDeps;
  #running = false;

  constructor(deps: ParkedRevivalDeps) {
    this.#deps = deps;
  }

  /** Revives what it can; returns the names of the tables that took parked rows back. */
  async run(): Promise<string[]> {
    const revived: string[] = [];
    if (this.#running) return revived;
    this.#running = true;
    const { metadata, nodeId, parked: parkedTables, liveState, stateOf, now } = this.#deps;
    try {
      for (const parked of parkedTables.list()) {
        const entry = await metadata.getTable(parked.table).catch(() => undefined);
        // The same incarnation, or an earlier one a restore put back in place of the lost one.
        if (!entry || entry.createdAt.getTime() > parked.createdAtMs) continue;
        const live = liveState(entry.name);
        if (live && live.entry.createdAt.getTime() !== entry.createdAt.getTime()) continue;
        const state = await stateOf(entry);
        const flushed = await flushedSequence(metadata, entry.name, nodeId);
        const keep = (line: string) => decodeRowLineHeader(line).sequence > flushed;
        const payloads = [...parked.buffer.lines()].filter(keep).map(payloadOfRowLine);
        await state.coverPayloads(payloads, metadata);
        const snapshot = parked.buffer.take();
        if (snapshot) {
          try {
            state.buffer.adopt(snapshot, now(), keep);
          } catch (error) {
            // Still parked (and still holding the WAL back) until a later revival succeeds.
            parked.buffer.restore(snapshot, now());
            throw error;
          }
        }
        parkedTables.discard(parked.table, parked.createdAtMs);
        revived.push(entry.name);
      }
    } catch (error) {
      this.#deps.onError?.(error);
    } finally {
      this.#running = false;
    }
    return revived;
  }
}
