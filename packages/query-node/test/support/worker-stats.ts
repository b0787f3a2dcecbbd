import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { WorkerService } from "@miniodb/proto/cluster";
import type { SpawnedNode } from "./spawn-node.js";

/** A worker's counters from its internal API (GetStats). */
export async function workerStats(worker: SpawnedNode): Promise<{ rowsScanned: number; fragments: number }> {
  const port = (worker.listening["ports"] as { cluster: number }).cluster;
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` });
  const stats = await createClient(WorkerService, transport).getStats({});
  return { rowsScanned: Number(stats.rowsScanned), fragments: Number(stats.fragmentsExecuted) };
}
