import type { TableEntry } from "@miniodb/core";
import type { RecordInput, TableBufferStats, WriteOptions, WriteResult } from "@miniodb/worker-node";

/**
 * What the API needs of the workers: in the all-in-one mode the in-process Worker, in a cluster a
 * router over remote workers.
 */
export interface DataPlane {
  write(table: TableEntry, records: readonly RecordInput[], options?: WriteOptions): Promise<WriteResult>;
  tableStats(table: string): TableBufferStats;
  dropTable(name: string): Promise<void>;
}
