import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { WorkerService } from "@miniodb/proto/cluster";
import type { WorkerProcess } from "./cluster-processes.js";

/** What a worker reports about itself over its internal API (GetStats). */
export interface WorkerStats {
  /** Unflushed rows per table. */
  readonly bufferedRows: Record<string, number>;
  /** The shards it owns at the ring epoch it serves, ascending. */
  readonly ownedShards: number[];
  /** Rows its query fragments read, files and buffer, since it started. */
  readonly rowsScanned: number;
}

export async function workerStats(worker: WorkerProcess): Promise<WorkerStats> {
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${worker.clusterPort}` });
  const stats = await createClient(WorkerService, transport).getStats({});
  return {
    bufferedRows: Object.fromEntries(
      Object.entries(stats.bufferedRows).map(([table, rows]) => [table, Number(rows)]),
    ),
    ownedShards: [...stats.ownedShards].sort((a, b) => a - b),
    rowsScanned: Number(stats.rowsScanned),
  };
}
