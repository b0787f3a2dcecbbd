import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { openSqliteDatabase } from "./sqlite-database.js";

const dir = () => mkdtempSync(join(tmpdir(), "miniodb-sqlite-"));
const v1 = [{ name: "tables", sql: "CREATE TABLE tables (name TEXT PRIMARY KEY, config TEXT NOT NULL)" }];
const v2 = [
  ...v1,
  { name: "files", sql: "CREATE TABLE files (key TEXT PRIMARY KEY, rows INTEGER NOT NULL)" },
];

describe("openSqliteDatabase", () => {
  it("applies migrations once, in order, and keeps data across reopen", () => {
    const path = join(dir(), "meta.db");
    const first = openSqliteDatabase(path, v1);
    first.prepare("INSERT INTO tables VALUES (?, ?)").run("users", "{}");
    first.close();
    const second = openSqliteDatabase(path, v2);
    assert.equal(second.pragma("user_version", { simple: true }), 2);
    assert.equal(second.pragma("journal_mode", { simple: true }), "wal");
    assert.deepEqual(second.prepare("SELECT name FROM tables").all(), [{ name: "users" }]);
    second.prepare("INSERT INTO files VALUES (?, ?)").run("users/a.parquet", 10);
    second.close();
  });

  it("rolls a failed migration back and leaves the previous version", () => {
    const path = join(dir(), "meta.db");
    openSqliteDatabase(path, v1).close();
    const broken = [...v1, { name: "broken", sql: "CREATE TABLE half (a INTEGER); CREATE TABLE tables (x)" }];
    assert.throws(
      () => openSqliteDatabase(path, broken),
      (error: unknown) => MiniodbError.is(error, "internal") && /migration 2 \(broken\)/.test(error.message),
    );
    const db = openSqliteDatabase(path, v1);
    assert.equal(db.pragma("user_version", { simple: true }), 1);
    assert.deepEqual(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'half'").get(), {
      n: 0,
    });
    db.close();
  });

  it("refuses a database written by a newer release", () => {
    const path = join(dir(), "meta.db");
    openSqliteDatabase(path, v2).close();
    assert.throws(
      () => openSqliteDatabase(path, v1),
      (error: unknown) => MiniodbError.is(error, "failed_precondition"),
    );
  });

  it("reports an unopenable path as unavailable", () => {
    assert.throws(
      () => openSqliteDatabase(join(dir(), "missing", "dir", "meta.db"), v1),
      (error: unknown) => MiniodbError.is(error, "unavailable"),
    );
  });

  it("keeps a committed transaction when the process is killed right after", () => {
    const path = join(dir(), "meta.db");
    openSqliteDatabase(path, v1).close();
    const script = `
      import Database from "better-sqlite3";
      const db = new Database(${JSON.stringify(path)});
      db.pragma("journal_mode = WAL"); db.pragma("synchronous = FULL");
      db.prepare("INSERT INTO tables VALUES ('killed', '{}')").run();
      process.kill(process.pid, "SIGKILL");`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: import.meta.dirname,
    });
    assert.equal(result.signal, "SIGKILL");
    const db = openSqliteDatabase(path, v1);
    assert.deepEqual(db.prepare("SELECT name FROM tables").all(), [{ name: "killed" }]);
    db.close();
  });
});
