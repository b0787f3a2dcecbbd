import type { TableEntry } from "@miniodb/core";
import type { RecordInput, TableBufferStats, WriteOptions, WriteResult } from "@miniodb/worker-node";
import type { RoutableLines } from "../decode/rest-batch.js";
import type { QueryScatter } from "./query-scatter.js";
import type { BufferSource } from "./query-sources.js";

/**
 * What the API needs of the workers: in the all-in-one mode the in-process Worker
 * (InProcessDataPlane), in a cluster a router over remote workers (ClusterDataPlane).
 */
export interface DataPlane extends BufferSource {
  write(table: TableEntry, records: readonly RecordInput[], options?: WriteOptions): Promise<WriteResult>;
  /**
   * Writes a batch decoded straight into row-block lines (RestBatchBody.rowLines), without making
   * a record of each; absent where records are written in process. Not for keyed writes.
   */
  writeRowLines?(table: TableEntry, lines: RoutableLines, options?: WriteOptions): Promise<WriteResult>;
  /** The table's unflushed rows, over every worker. */
  tableStats(table: string): Promise<TableBufferStats>;
  dropTable(name: string): Promise<void>;
  /**
   * A sequence above every row of `ids` acknowledged so far, and below every row of them written
   * later (tombstones take one).
   */
  nextSequence(table: string, ids: readonly string[]): Promise<bigint>;
  /** Runs queries' scans where the data is (a cluster's workers); absent: this node reads the files. */
  readonly scatter?: QueryScatter;
}
