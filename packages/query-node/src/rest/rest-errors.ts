import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "pino";
import { errorCodeTable, MiniodbError } from "@miniodb/core";

/** The REST error body: `{"error": {"code": "invalid_argument", "message": "...", "details": {}}}`. */
export function restErrorBody(error: MiniodbError) {
  const message = error.code === "internal" ? "internal error" : error.message;
  return { error: { code: error.code, message, details: error.details } };
}

/** Hono `onError`: answers with the error's HTTP status and logs only the server's own faults. */
export function createRestErrorHandler(logger: Logger) {
  return (error: unknown, context: Context) => {
    const miniodb = MiniodbError.from(error);
    const info = errorCodeTable[miniodb.code];
    if (info.logAsError) {
      logger.error({ err: error, method: context.req.method, path: context.req.path }, "request failed");
    }
    const retryAfter = miniodb.details["retry_after_seconds"];
    if (retryAfter) context.header("Retry-After", retryAfter);
    return context.json(restErrorBody(miniodb), info.httpStatus as ContentfulStatusCode);
  };
}
