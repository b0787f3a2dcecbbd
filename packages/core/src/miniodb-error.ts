import { errorCodeTable, isErrorCode, type ErrorCode } from "./error-codes.js";

export interface MiniodbErrorOptions {
  /** The error this one explains, kept for logs. */
  readonly cause?: unknown;
  /** Machine-readable context, e.g. `{ field: "table_name" }`; safe to show to the client. */
  readonly details?: Readonly<Record<string, string>>;
  /** Overrides the code's default retryability. */
  readonly retryable?: boolean;
}

/** The one error type MinIODB libraries throw. Its `code` decides the wire status. */
export class MiniodbError extends Error {
  override readonly name = "MiniodbError";
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, string>>;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: MiniodbErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? errorCodeTable[code].retryable;
  }

  /** Returns `error` itself when it is a MiniodbError, else wraps it as `fallback` (default internal). */
  static from(error: unknown, fallback: ErrorCode = "internal"): MiniodbError {
    if (error instanceof MiniodbError) return error;
    if (isMiniodbErrorLike(error)) {
      return new MiniodbError(error.code, error.message, { cause: error, details: error.details ?? {} });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new MiniodbError(fallback, message, { cause: error });
  }

  static is(error: unknown, code?: ErrorCode): error is MiniodbError {
    return error instanceof MiniodbError && (code === undefined || error.code === code);
  }
}

interface MiniodbErrorLike {
  code: ErrorCode;
  message: string;
  details?: Record<string, string>;
}

/** Matches a MiniodbError from another copy of this package (e.g. two installed versions). */
function isMiniodbErrorLike(error: unknown): error is MiniodbErrorLike {
  return (
    error instanceof Error && error.name === "MiniodbError" && isErrorCode((error as { code?: unknown }).code)
  );
}
