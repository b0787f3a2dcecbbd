import type { Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { isServerFault, toConnectError } from "./connect-errors.js";
import { interceptErrors } from "@miniodb/worker-node";

/**
 * Converts MiniodbErrors thrown by services into Connect errors with the right code, and logs the
 * server's own faults once, here at the edge. Client errors are not logged as errors.
 */
export function createErrorInterceptor(logger: Logger): Interceptor {
  const report = (error: unknown, procedure: string) => {
    if (isServerFault(error)) logger.error({ err: error, procedure }, "request failed");
    return toConnectError(error);
  };
  return (next) => (request) =>
    interceptErrors(
      () => next(request),
      (error) => report(error, `${request.service.typeName}/${request.method.name}`),
    );
}
