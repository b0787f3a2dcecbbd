import { MiniodbError, type ErrorCode } from "@miniodb/core";

/**
 * Reply-error prefixes (the first word of a Redis error reply) and what they mean to a caller.
 * The server is briefly unable to serve during loading, failover (a demoted master answers
 * READONLY, a master without replicas MASTERDOWN) and resharding (CLUSTERDOWN, TRYAGAIN).
 */
const replyPrefixes: Readonly<Record<string, ErrorCode>> = {
  LOADING: "unavailable",
  READONLY: "unavailable",
  MASTERDOWN: "unavailable",
  CLUSTERDOWN: "unavailable",
  TRYAGAIN: "unavailable",
  BUSY: "unavailable",
  NOREPLICAS: "unavailable",
  NOAUTH: "unavailable",
  WRONGPASS: "unavailable",
  NOPERM: "unavailable",
  OOM: "resource_exhausted",
  CROSSSLOT: "internal",
  WRONGTYPE: "data_loss",
};

/** Socket error codes of Node (`error.code`) that mean the server cannot be reached. */
const socketCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * Messages of ioredis's own errors (no code) for a connection that is down, closing, timed out
 * or still looking for its master or slots. They all mean: not now, retry later.
 */
const clientMessages = [
  /^Connection is closed\.$/,
  /^Command timed out$/,
  /^Reached the max retries per request limit/,
  /^Stream isn't writeable/,
  /^None of startup nodes is available$/,
  /^Failed to refresh slots cache/,
  /^Cluster (is disconnected|is disconnecting|isn't ready)/,
  /^Node is disconnected$/,
  /^Too many Cluster redirections/,
  /^All sentinels are unreachable/,
  /^Connection in subscriber mode/,
];

/**
 * Translates an ioredis or Redis error into a MiniodbError, keeping it as `cause`. `action` says
 * what was being done, e.g. `"commit manifest of users"`. MiniodbErrors pass through unchanged;
 * what is not recognised is `internal`. Compare-and-swap conflicts never reach here: the store's
 * scripts report them as results (see `script-reply.ts`), which become `aborted`.
 */
export function fromRedisError(error: unknown, action: string): MiniodbError {
  if (error instanceof MiniodbError) return error;
  const code = codeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const retryable = code === "resource_exhausted" && /overflow/.test(detail) ? false : undefined;
  return new MiniodbError(code, `metadata store (Redis) cannot ${action}: ${detail}`, {
    cause: error,
    ...(retryable === undefined ? {} : { retryable }),
  });
}

function codeOf(error: unknown): ErrorCode {
  if (!(error instanceof Error)) return "internal";
  const { code } = error as { code?: unknown };
  if (typeof code === "string" && socketCodes.has(code)) return "unavailable";
  if (error.name === "ReplyError") {
    if (/increment or decrement would overflow/.test(error.message)) return "resource_exhausted";
    const prefix = /^[A-Z]+/.exec(error.message)?.[0];
    return (prefix && replyPrefixes[prefix]) || "internal";
  }
  if (error.name === "MaxRetriesPerRequestError" || error.name === "ClusterAllFailedError") {
    return "unavailable";
  }
  if (clientMessages.some((pattern) => pattern.test(error.message))) return "unavailable";
  return "internal";
}
