import { MiniodbError, type Manifest, type NodeEntry, type TableEntry } from "@miniodb/core";
import type { BufferCapture } from "../services/query-sources.js";
import type { ClusterMembership } from "./cluster-membership.js";
import type { WorkerClients } from "./worker-clients.js";
import { fromWorkerError } from "./worker-errors.js";

/** One worker's capture of a table's buffer. */
export interface WorkerCapture {
  readonly worker: NodeEntry;
  readonly captureId: string;
  /**
   * Rows captured, before leaving out those a manifest holds (for a capture a fragment kept: the
   * rows outside the manifest it read). Not 0: the capture's worker alone can serve the query.
   */
  readonly rowCount: number;
  /** The worker captures within its fragment call instead (rowCount unknown, captureId empty). */
  readonly inFragment?: boolean;
}

/**
 * Captures a table's unflushed rows from every live worker (active or draining, read fresh from
 * the registry for each query so a worker that acknowledged a write before the query began is
 * included). A worker that does not answer fails the query with unavailable unless it has left
 * the registry meanwhile: a draining worker removes itself only after its rows are committed to
 * the manifest, and a crashed one's unflushed rows come back when it restarts (docs/cluster.md).
 * A failure while reading a capture fails the query too: never a silently partial answer.
 */
export async function captureClusterBuffer(
  membership: ClusterMembership,
  clients: WorkerClients,
  table: TableEntry,
): Promise<BufferCapture> {
  const captures = await captureWorkerBuffers(membership, clients, table);
  return {
    rowsOutside: (manifest) => readCaptures(clients, captures, manifest),
    workers: captures.map((capture) => capture.worker.id),
  };
}

/**
 * Captures the table's buffer on every live worker (see captureClusterBuffer): `workers` when the
 * caller has just read the registry for this query, else read now. A worker that does not answer
 * fails with unavailable unless it has left the registry meanwhile.
 */
export async function captureWorkerBuffers(
  membership: ClusterMembership,
  clients: WorkerClients,
  table: TableEntry,
  workers?: readonly NodeEntry[],
): Promise<WorkerCapture[]> {
  workers ??= await membership.refresh();
  const outcomes = await Promise.allSettled(
    workers.map((worker) =>
      clients
        .of(worker)
        .captureBuffer({ table: table.name, tableCreatedAtMs: BigInt(table.createdAt.getTime()) }),
    ),
  );
  const captures: WorkerCapture[] = [];
  const failed: Array<{ worker: NodeEntry; error: MiniodbError }> = [];
  outcomes.forEach((outcome, index) => {
    const worker = workers[index]!;
    if (outcome.status === "fulfilled")
      captures.push({
        worker,
        captureId: outcome.value.captureId,
        rowCount: Number(outcome.value.rowCount),
      });
    else failed.push({ worker, error: fromWorkerError(outcome.reason, worker) });
  });
  if (failed.length > 0) {
    const live = new Set((await membership.refresh()).map((worker) => worker.id));
    const blocking = failed.find(({ worker }) => live.has(worker.id));
    if (blocking) throw unreachable(blocking.worker, blocking.error);
  }
  return captures;
}

async function* readCaptures(
  clients: WorkerClients,
  captures: readonly WorkerCapture[],
  manifest: Manifest,
): AsyncIterable<string> {
  let keys: Set<string> | undefined;
  const decoder = new TextDecoder();
  for (const { worker, captureId } of captures) {
    try {
      const stream = clients.of(worker).readCapture({ captureId, manifestVersion: BigInt(manifest.version) });
      for await (const part of stream) {
        if (part.fileKeys.length > 0) {
          keys ??= new Set(manifest.files.map((file) => file.key));
          if (part.fileKeys.some((key) => keys!.has(key))) continue;
        }
        yield decoder.decode(part.rowsNdjson);
      }
    } catch (error) {
      throw unreachable(worker, fromWorkerError(error, worker));
    }
  }
}

/** A worker's failure as the query's: unavailable (retry the query) when it was unreachable. */
export function unreachable(worker: NodeEntry, error: MiniodbError): MiniodbError {
  if (error.code !== "unavailable" && error.code !== "not_found") return error;
  return new MiniodbError(
    "unavailable",
    `worker ${worker.id} holds unflushed rows and did not answer (${error.message}); retry the query`,
    { cause: error },
  );
}
