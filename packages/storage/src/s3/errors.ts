import { MiniodbError } from "@miniodb/core";

/** What the AWS SDK attaches to the errors it throws (service errors and transport errors). */
interface SdkErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const NOT_FOUND = new Set(["NoSuchKey", "NotFound"]);
const DENIED = new Set([
  "AccessDenied",
  "AllAccessDisabled",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "InvalidToken",
  "ExpiredToken",
  "AccountProblem",
]);
const THROTTLED = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "ServiceUnavailable",
]);
const TIMED_OUT = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException", "ETIMEDOUT"]);
/** Socket-level failures: the store is down, restarting or unreachable. */
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "ERR_STREAM_PREMATURE_CLOSE",
]);
const INVALID = new Set(["InvalidBucketName", "InvalidArgument", "KeyTooLongError", "InvalidObjectName"]);

/**
 * Maps an error of the AWS SDK (or of the socket under it) to a MiniodbError, keeping the cause.
 * This is the only place that knows S3's error names:
 *
 * - missing key → `not_found` (the port's semantics: `get` throws it, `head` returns undefined);
 * - missing bucket → `failed_precondition`: the deployment is wrong, retrying will not help;
 * - denied / bad credentials → `permission_denied`, never retried;
 * - refused or reset connections, 5xx and throttling → `unavailable`, retryable, and what makes
 *   a PrimaryBackupPool fail over;
 * - request and connect timeouts → `deadline_exceeded`, retryable;
 * - TLS failures (unknown CA, wrong host name) → `unavailable` but not retryable: the endpoint is
 *   unusable as configured, yet a pool may still fail over from it.
 */
export function fromS3Error(error: unknown, key: string): MiniodbError {
  if (error instanceof MiniodbError) return error;
  const sdk = (error ?? {}) as SdkErrorShape;
  const name = sdk.Code ?? sdk.name ?? "";
  const code = sdk.code ?? "";
  const status = sdk.$metadata?.httpStatusCode;
  const options = { cause: error, details: { key } };
  const describe = `${name || code || "error"}${status ? ` (HTTP ${status})` : ""}`;

  if (NOT_FOUND.has(name)) return new MiniodbError("not_found", `object ${key} does not exist`, options);
  if (name === "NoSuchBucket") {
    return new MiniodbError("failed_precondition", `the object store's bucket does not exist`, options);
  }
  if (DENIED.has(name) || status === 403 || status === 401) {
    return new MiniodbError(
      "permission_denied",
      `object store denied access to ${key}: ${describe}`,
      options,
    );
  }
  if (TIMED_OUT.has(name) || TIMED_OUT.has(code)) {
    return new MiniodbError("deadline_exceeded", `object store timed out on ${key}: ${describe}`, options);
  }
  if (THROTTLED.has(name) || status === 429 || NETWORK.has(code) || (status !== undefined && status >= 500)) {
    return new MiniodbError("unavailable", `object store unavailable for ${key}: ${describe}`, options);
  }
  if (isTlsFailure(code)) {
    return new MiniodbError("unavailable", `object store TLS failure for ${key}: ${code}`, {
      ...options,
      retryable: false,
    });
  }
  if (name === "EntityTooLarge")
    return new MiniodbError("payload_too_large", `object ${key} is too large`, options);
  if (INVALID.has(name))
    return new MiniodbError("invalid_argument", `object store refused ${key}: ${describe}`, options);
  if (status === undefined && isSocketMessage(error)) {
    return new MiniodbError("unavailable", `object store unavailable for ${key}: ${describe}`, options);
  }
  return new MiniodbError("internal", `object store failed on ${key}: ${describe}`, options);
}

function isTlsFailure(code: string): boolean {
  return (
    code.startsWith("CERT_") ||
    code.startsWith("ERR_TLS_") ||
    code.startsWith("ERR_SSL_") ||
    code === "DEPTH_ZERO_SELF_SIGNED_CERT" ||
    code === "SELF_SIGNED_CERT_IN_CHAIN" ||
    code === "UNABLE_TO_VERIFY_LEAF_SIGNATURE" ||
    code === "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
  );
}

/** Node reports some dropped connections only in the message ("socket hang up"). */
function isSocketMessage(error: unknown): boolean {
  const message = error instanceof Error ? error.message : "";
  return /socket hang up|other side closed|connection (?:reset|closed)/i.test(message);
}
