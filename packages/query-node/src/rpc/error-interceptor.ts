import type { Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { isServerFault, toConnectError } from "./connect-errors.js";

/**
 * Converts MiniodbErrors thrown by services into Connect errors with the right code, and logs the
 * server's own faults once, here at the edge. Client errors are not logged as errors.
 */
export function createErrorInterceptor(logger: Logger): Interceptor {
  const report = (error: unknown, procedure: string) => {
    if (isServerFault(error)) logger.error({ err: error, procedure }, "request failed");
    return toConnectError(error);
  };
  return (next) => async (request) => {
    const procedure = `${request.service.typeName}/${request.method.name}`;
    try {
      const response = await next(request);
      if (!response.stream) return response;
      const messages = response.message;
      return {
        ...response,
        message: (async function* () {
          try {
            yield* messages;
          } catch (error) {
            throw report(error, procedure);
          }
        })(),
      };
    } catch (error) {
      throw report(error, procedure);
    }
  };
}
