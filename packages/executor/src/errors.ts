import { MiniodbError, type ErrorCode } from "@miniodb/core";

/**
 * DuckDB reports errors as messages prefixed with their kind ("Parser Error: ..."). This is the
 * one place that maps those kinds to MiniodbError codes; the original error is kept as cause.
 */
const kindToCode: ReadonlyArray<[RegExp, ErrorCode]> = [
  [
    /^(Parser|Syntax|Binder|Catalog|Conversion|Invalid Input|Not implemented|Permission|Constraint|Out of Range|Mismatch Type|Parameter Not Resolved) Error/i,
    "invalid_argument",
  ],
  [/^INTERRUPT Error/i, "deadline_exceeded"],
  [/^Out of Memory Error/i, "resource_exhausted"],
  [/^IO Error/i, "unavailable"],
];

export function fromDuckDbError(error: unknown): MiniodbError {
  if (error instanceof MiniodbError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = kindToCode.find(([pattern]) => pattern.test(message))?.[1] ?? "internal";
  return new MiniodbError(code, message, { cause: error });
}
