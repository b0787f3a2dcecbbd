import { Code, ConnectError } from "@connectrpc/connect";
import { isErrorCode, MiniodbError, type NodeEntry } from "@miniodb/core";
import { ERROR_CODE_HEADER, ERROR_REASON_HEADER } from "@miniodb/worker-node";

/**
 * A failed call to a worker as a MiniodbError: the worker's own error code when it answered with
 * one, else unavailable (the worker could not be reached or went away mid-call) or the transport's
 * deadline_exceeded.
 */
export function fromWorkerError(error: unknown, worker: NodeEntry): MiniodbError {
  if (error instanceof MiniodbError) return error;
  const connect = ConnectError.from(error);
  const code = connect.metadata.get(ERROR_CODE_HEADER);
  if (isErrorCode(code)) {
    const reason = connect.metadata.get(ERROR_REASON_HEADER);
    return new MiniodbError(code, connect.rawMessage, {
      cause: error,
      ...(reason ? { details: { reason, worker: worker.id } } : {}),
    });
  }
  if (connect.code === Code.DeadlineExceeded) {
    return new MiniodbError("deadline_exceeded", `worker ${worker.id} did not answer in time`, {
      cause: error,
    });
  }
  return new MiniodbError(
    "unavailable",
    `worker ${worker.id} (${worker.address}) cannot be reached: ${connect.rawMessage}`,
    {
      cause: error,
      details: { reason: "worker_unreachable", worker: worker.id },
    },
  );
}

/** Whether a write refused by a worker goes to the owner of a refreshed ring (moved shard, leaving or dead worker). */
export function isReroutable(error: MiniodbError): boolean {
  const reason = error.details["reason"];
  return reason === "shard_moved" || reason === "draining" || reason === "worker_unreachable";
}
