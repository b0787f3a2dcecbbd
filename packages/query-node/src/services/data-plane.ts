import type { TableEntry } from "@miniodb/core";
import type { RecordInput, TableBufferStats, WriteOptions, WriteResult } from "@miniodb/worker-node";
import type { BufferSource } from "./query-sources.js";

/**
 * What the API needs of the workers: in the all-in-one mode the in-process Worker, in a cluster a
 * router over remote workers.
 */
export interface DataPlane extends BufferSource {
  write(table: TableEntry, records: readonly RecordInput[], options?: WriteOptions): Promise<WriteResult>;
  tableStats(table: string): TableBufferStats;
  dropTable(name: string): Promise<void>;
  /** A sequence above every row acknowledged so far (tombstones take one). */
  nextSequence(): bigint;
}
