import { Code, ConnectError } from "@connectrpc/connect";
import { errorCodeTable, MiniodbError } from "@miniodb/core";

/** Translates anything a service throws into the ConnectError a client receives. */
export function toConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  const miniodb = MiniodbError.from(error);
  const code = errorCodeTable[miniodb.code].grpcCode as Code;
  const message = miniodb.code === "internal" ? "internal error" : miniodb.message;
  const connectError = new ConnectError(message, code, undefined, undefined, miniodb);
  connectError.metadata.set("miniodb-error-code", miniodb.code);
  const retryAfter = miniodb.details["retry_after_seconds"];
  if (retryAfter) connectError.metadata.set("retry-after", retryAfter);
  return connectError;
}

/** Whether an error that reached the edge is ours to log (as opposed to the client's fault). */
export function isServerFault(error: unknown): boolean {
  if (error instanceof ConnectError) {
    return [Code.Internal, Code.Unknown, Code.DataLoss, Code.Unavailable].includes(error.code);
  }
  return errorCodeTable[MiniodbError.from(error).code].logAsError;
}
