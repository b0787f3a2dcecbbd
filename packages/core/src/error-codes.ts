/**
 * The closed set of MinIODB error codes and how each one crosses the wire.
 *
 * `grpcCode` is the canonical gRPC status code (Connect's `Code` enum uses the same numbers);
 * `httpStatus` is what the REST API answers; `retryable` says whether a client may retry the same
 * request unchanged; `logAsError` separates our faults (logged as errors) from the client's
 * (not logged as errors).
 */
export interface ErrorCodeInfo {
  readonly grpcCode: number;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly logAsError: boolean;
}

export const errorCodeTable = {
  /** The request is malformed or breaks a rule (bad name, id, JSON, SQL, cursor). */
  invalid_argument: { grpcCode: 3, httpStatus: 400, retryable: false, logAsError: false },
  /** The named table, record or backup does not exist. */
  not_found: { grpcCode: 5, httpStatus: 404, retryable: false, logAsError: false },
  /** The thing to create exists already. */
  already_exists: { grpcCode: 6, httpStatus: 409, retryable: false, logAsError: false },
  /** The system is not in a state that allows the operation (e.g. deleting a non-empty table without cascade). */
  failed_precondition: { grpcCode: 9, httpStatus: 412, retryable: false, logAsError: false },
  /** A concurrent change won; the operation can be retried. */
  aborted: { grpcCode: 10, httpStatus: 409, retryable: true, logAsError: false },
  /** No valid credentials. */
  unauthenticated: { grpcCode: 16, httpStatus: 401, retryable: false, logAsError: false },
  /** Valid credentials without the right to do this. */
  permission_denied: { grpcCode: 7, httpStatus: 403, retryable: false, logAsError: false },
  /** A rate limit or concurrency cap was hit; retry later. */
  resource_exhausted: { grpcCode: 8, httpStatus: 429, retryable: true, logAsError: false },
  /** A request, record or result is larger than the configured limit. */
  payload_too_large: { grpcCode: 8, httpStatus: 413, retryable: false, logAsError: false },
  /** A backend (metadata store, object store, worker) cannot be reached right now. */
  unavailable: { grpcCode: 14, httpStatus: 503, retryable: true, logAsError: true },
  /** The operation ran past its deadline. */
  deadline_exceeded: { grpcCode: 4, httpStatus: 504, retryable: true, logAsError: false },
  /** The caller went away. */
  canceled: { grpcCode: 1, httpStatus: 499, retryable: false, logAsError: false },
  /** The operation is not supported by this server or configuration. */
  unimplemented: { grpcCode: 12, httpStatus: 501, retryable: false, logAsError: false },
  /** Stored data is corrupt or missing. */
  data_loss: { grpcCode: 15, httpStatus: 500, retryable: false, logAsError: true },
  /** A bug. */
  internal: { grpcCode: 13, httpStatus: 500, retryable: false, logAsError: true },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCodeTable;

export const errorCodes = Object.keys(errorCodeTable) as readonly ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(errorCodeTable, value);
}
