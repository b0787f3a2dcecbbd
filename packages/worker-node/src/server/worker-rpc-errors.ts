import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { errorCodeTable, MiniodbError } from "@miniodb/core";
import { interceptErrors } from "./intercept-errors.js";

/** Response header carrying the MinIODB error code of a failed cluster call. */
export const ERROR_CODE_HEADER = "miniodb-error-code";
/** Response header carrying `details.reason` of a failed cluster call (e.g. shard_moved). */
export const ERROR_REASON_HEADER = "miniodb-error-reason";

/** A MiniodbError (or anything) as the ConnectError a query node receives, code kept in a header. */
export function toWorkerConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  const miniodb = MiniodbError.from(error);
  const connectError = new ConnectError(
    miniodb.message,
    errorCodeTable[miniodb.code].grpcCode as Code,
    undefined,
    undefined,
    miniodb,
  );
  connectError.metadata.set(ERROR_CODE_HEADER, miniodb.code);
  const reason = miniodb.details["reason"];
  if (reason !== undefined) connectError.metadata.set(ERROR_REASON_HEADER, reason);
  return connectError;
}

/** Converts errors thrown by the worker's handlers, streaming ones included. */
export function createWorkerErrorInterceptor(
  onServerFault?: (error: unknown, procedure: string) => void,
): Interceptor {
  const convert = (error: unknown, procedure: string) => {
    const converted = toWorkerConnectError(error);
    if ([Code.Internal, Code.Unknown, Code.DataLoss].includes(converted.code))
      onServerFault?.(error, procedure);
    return converted;
  };
  return (next) => (request) =>
    interceptErrors(
      () => next(request),
      (error) => convert(error, `${request.service.typeName}/${request.method.name}`),
    );
}
