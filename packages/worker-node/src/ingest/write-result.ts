import type { ErrorCode } from "@miniodb/core";

/** A record a write rejected, by its index in the request. */
export interface RecordError {
  readonly index: number;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface WriteResult {
  /** Records acknowledged (durable in the WAL). */
  readonly written: number;
  readonly errors: readonly RecordError[];
  /** Ids of the written records, in request order (generated ones included). */
  readonly ids: readonly string[];
  /** Sequence range of the written records; absent when none was written. */
  readonly firstSequence?: bigint;
  readonly lastSequence?: bigint;
}
