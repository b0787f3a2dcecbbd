import type { Logger } from "pino";
import { MiniodbError } from "@miniodb/core";
import type { BufferCaptures, Worker, WriteAdmission } from "@miniodb/worker-node";
import type { NodeHeartbeat } from "./node-heartbeat.js";

export interface DrainWorkerDeps {
  readonly heartbeat: NodeHeartbeat;
  readonly admission: WriteAdmission;
  readonly worker: Worker;
  readonly captures: BufferCaptures;
  readonly logger: Logger;
  /** Longest wait for queries to read the captures they took. Default 10 s. */
  readonly captureWaitMs?: number;
}

/**
 * A worker's graceful leave, in the order that keeps every acknowledged row visible exactly once:
 * 1. advertise `draining`: query nodes route no new writes here (refused ones are re-routed) but
 *    keep reading this worker's buffer;
 * 2. wait for the writes in progress, then flush every table until nothing is unflushed;
 * 3. deregister — from here on queries find these rows in the manifest only — and remove the WAL
 *    mark: compaction no longer keeps tombstones for this WAL;
 * 4. let queries that captured the buffer before step 3 read their captures.
 */
export async function drainWorker(deps: DrainWorkerDeps): Promise<void> {
  const { heartbeat, admission, worker, captures, logger } = deps;
  await heartbeat.setState("draining");
  await admission.drain();
  for (let round = 0; ; round++) {
    await worker.flush();
    const left = worker
      .bufferedTables()
      .reduce((sum, table) => sum + worker.tableStats(table).unflushedRows, 0);
    if (left === 0) break;
    if (round >= 20)
      throw new MiniodbError(
        "unavailable",
        `${left} rows could not be flushed; they stay in the WAL for the next start`,
      );
  }
  await heartbeat.stop();
  if (!(await worker.releaseWalMark()))
    logger.warn("rows of lost tables stay parked in the WAL: its mark stays for the next start");
  const deadline = Date.now() + (deps.captureWaitMs ?? 10_000);
  while (captures.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  logger.info("left the cluster: every buffered row is flushed");
}
