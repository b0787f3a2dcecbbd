import type { Manifest, TableEntry } from "@miniodb/core";
import { rowsOutsideManifest } from "../buffer/buffer-view.js";
import type { BufferedRows } from "../buffer/table-buffer.js";
import { decodeRowLineHeader } from "../ingest/row-line.js";
import type { RowRef } from "./tombstone-retirement.js";

/**
 * A table's acknowledged rows captured before its manifest is read: `rowsOutside` gives those the
 * manifest does not hold yet, in chunks of whole NDJSON row lines (each ending in "\n").
 */
export interface CapturedBuffer {
  rowsOutside(manifest: Manifest): AsyncIterable<string>;
  /**
   * The workers whose buffers the capture holds (a cluster's live workers). The WAL marks of the
   * others hold back the tombstones they may need (see retirableTombstones).
   */
  readonly workers?: readonly string[];
}

/**
 * Where the compactor finds a table's rows that are not flushed yet: the worker in this process,
 * or every worker of a cluster (captured over their internal API).
 */
export interface UnflushedRowSource {
  captureBuffer(table: TableEntry): Promise<CapturedBuffer>;
}

/** The buffer of a worker in this process as an UnflushedRowSource. */
export function localUnflushedRows(worker: {
  bufferedRows(table: string): BufferedRows[];
}): UnflushedRowSource {
  return {
    async captureBuffer(table) {
      const parts = worker.bufferedRows(table.name);
      return {
        async *rowsOutside(manifest) {
          for (const line of rowsOutsideManifest(parts, manifest)) yield `${line}\n`;
        },
      };
    },
  };
}

/** The id and sequence of every captured row outside `manifest` whose id is in `ids`. */
export async function unflushedRowRefs(
  captured: CapturedBuffer,
  manifest: Manifest,
  ids: ReadonlySet<string>,
): Promise<RowRef[]> {
  const refs: RowRef[] = [];
  for await (const chunk of captured.rowsOutside(manifest)) {
    for (const line of chunk.split("\n")) {
      if (line.length === 0) continue;
      const header = decodeRowLineHeader(line);
      if (ids.has(header.id)) refs.push({ id: header.id, sequence: header.sequence });
    }
  }
  return refs;
}
