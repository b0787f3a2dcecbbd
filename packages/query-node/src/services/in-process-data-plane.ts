import type { TableEntry } from "@miniodb/core";
import {
  rowsOutsideManifest,
  type RecordInput,
  type TableBufferStats,
  type Worker,
  type WriteOptions,
  type WriteResult,
} from "@miniodb/worker-node";
import type { DataPlane } from "./data-plane.js";
import { lineChunks, type BufferCapture } from "./query-sources.js";

/** The all-in-one mode's data plane: the worker in this process. */
export class InProcessDataPlane implements DataPlane {
  readonly #worker: Worker;

  constructor(worker: Worker) {
    this.#worker = worker;
  }

  write(table: TableEntry, records: readonly RecordInput[], options?: WriteOptions): Promise<WriteResult> {
    return this.#worker.write(table, records, options);
  }

  async tableStats(table: string): Promise<TableBufferStats> {
    return this.#worker.tableStats(table);
  }

  dropTable(name: string): Promise<void> {
    return this.#worker.dropTable(name);
  }

  async nextSequence(): Promise<bigint> {
    return this.#worker.nextSequence();
  }

  async captureBuffer(table: TableEntry): Promise<BufferCapture> {
    const parts = this.#worker.bufferedRows(table.name);
    return { rowsOutside: (manifest, ids) => lineChunks(rowsOutsideManifest(parts, manifest, ids)) };
  }
}
