import Database from "better-sqlite3";
import { MiniodbError, type ErrorCode } from "@miniodb/core";

/**
 * SQLite result codes (primary code, before any `_EXTENDED` suffix) and what they mean to a
 * caller. Extended codes such as `SQLITE_BUSY_SNAPSHOT` or `SQLITE_IOERR_FSYNC` fall back to their
 * primary code; constraint violations are told apart by their extended code below.
 */
const primaryCodes: Readonly<Record<string, ErrorCode>> = {
  SQLITE_BUSY: "unavailable",
  SQLITE_LOCKED: "unavailable",
  SQLITE_IOERR: "unavailable",
  SQLITE_CANTOPEN: "unavailable",
  SQLITE_READONLY: "unavailable",
  SQLITE_PROTOCOL: "unavailable",
  SQLITE_PERM: "unavailable",
  SQLITE_AUTH: "unavailable",
  SQLITE_FULL: "resource_exhausted",
  SQLITE_NOMEM: "resource_exhausted",
  SQLITE_CORRUPT: "data_loss",
  SQLITE_NOTADB: "data_loss",
  SQLITE_TOOBIG: "payload_too_large",
  SQLITE_MISMATCH: "invalid_argument",
  SQLITE_RANGE: "invalid_argument",
  SQLITE_INTERRUPT: "canceled",
};

const constraintCodes: Readonly<Record<string, ErrorCode>> = {
  SQLITE_CONSTRAINT_PRIMARYKEY: "already_exists",
  SQLITE_CONSTRAINT_UNIQUE: "already_exists",
  SQLITE_CONSTRAINT_FOREIGNKEY: "not_found",
};

/** better-sqlite3's message for any call on a closed handle (a TypeError, not a SqliteError). */
const CLOSED_MESSAGE = "The database connection is not open";

/**
 * Translates an error of the embedded store (better-sqlite3) into a MiniodbError, keeping it as
 * `cause`. `action` says what was being done, e.g. `"commit manifest of users"`. MiniodbErrors
 * pass through unchanged.
 */
export function fromSqliteError(error: unknown, action: string): MiniodbError {
  if (error instanceof MiniodbError) return error;
  if (error instanceof Database.SqliteError) {
    const code = codeOf(error.code);
    return new MiniodbError(code, `metadata store cannot ${action}: ${error.message} (${error.code})`, {
      cause: error,
    });
  }
  if (error instanceof TypeError && error.message === CLOSED_MESSAGE) {
    return new MiniodbError("unavailable", `metadata store cannot ${action}: it is closed`, { cause: error });
  }
  return MiniodbError.from(error);
}

/** True for a primary-key or unique-index violation (the row exists already). */
export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    (error.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || error.code === "SQLITE_CONSTRAINT_UNIQUE")
  );
}

function codeOf(sqliteCode: string): ErrorCode {
  const constraint = constraintCodes[sqliteCode];
  if (constraint) return constraint;
  if (sqliteCode.startsWith("SQLITE_CONSTRAINT")) return "invalid_argument";
  const primary = /^SQLITE_[A-Z]+/.exec(sqliteCode)?.[0];
  return (primary && primaryCodes[primary]) || "internal";
}
