import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { MiniodbError } from "@miniodb/core";
import { fromSqliteError, isUniqueViolation } from "./errors.js";

const sqliteError = (code: string) => new Database.SqliteError(`sqlite says ${code}`, code);

describe("fromSqliteError", () => {
  it("maps SQLite result codes, extended ones by their primary code, and keeps the cause", () => {
    const cases: Array<[string, MiniodbError["code"]]> = [
      ["SQLITE_BUSY", "unavailable"],
      ["SQLITE_BUSY_SNAPSHOT", "unavailable"],
      ["SQLITE_LOCKED", "unavailable"],
      ["SQLITE_IOERR_FSYNC", "unavailable"],
      ["SQLITE_CANTOPEN", "unavailable"],
      ["SQLITE_READONLY_DBMOVED", "unavailable"],
      ["SQLITE_FULL", "resource_exhausted"],
      ["SQLITE_NOMEM", "resource_exhausted"],
      ["SQLITE_CORRUPT", "data_loss"],
      ["SQLITE_CORRUPT_INDEX", "data_loss"],
      ["SQLITE_NOTADB", "data_loss"],
      ["SQLITE_TOOBIG", "payload_too_large"],
      ["SQLITE_CONSTRAINT_PRIMARYKEY", "already_exists"],
      ["SQLITE_CONSTRAINT_UNIQUE", "already_exists"],
      ["SQLITE_CONSTRAINT_FOREIGNKEY", "not_found"],
      ["SQLITE_CONSTRAINT_NOTNULL", "invalid_argument"],
      ["SQLITE_CONSTRAINT_DATATYPE", "invalid_argument"],
      ["SQLITE_INTERRUPT", "canceled"],
      ["SQLITE_ERROR", "internal"],
    ];
    for (const [sqliteCode, code] of cases) {
      const cause = sqliteError(sqliteCode);
      const error = fromSqliteError(cause, "commit manifest of users");
      assert.equal(error.code, code, sqliteCode);
      assert.equal(error.cause, cause);
      assert.match(error.message, /^metadata store cannot commit manifest of users: .*\(SQLITE_/);
    }
    assert.equal(fromSqliteError(sqliteError("SQLITE_BUSY"), "x").retryable, true);
  });

  it("reports a closed handle as unavailable and anything else as internal", () => {
    const closed = fromSqliteError(new TypeError("The database connection is not open"), "ping");
    assert.equal(closed.code, "unavailable");
    assert.equal(fromSqliteError(new TypeError("x is not a function"), "ping").code, "internal");
  });

  it("passes a MiniodbError through unchanged", () => {
    const original = new MiniodbError("aborted", "lost the race");
    assert.equal(fromSqliteError(original, "commit"), original);
  });

  it("recognises unique violations only", () => {
    assert.equal(isUniqueViolation(sqliteError("SQLITE_CONSTRAINT_PRIMARYKEY")), true);
    assert.equal(isUniqueViolation(sqliteError("SQLITE_CONSTRAINT_UNIQUE")), true);
    assert.equal(isUniqueViolation(sqliteError("SQLITE_CONSTRAINT_NOTNULL")), false);
    assert.equal(isUniqueViolation(new Error("UNIQUE constraint failed")), false);
  });
});
