import Database from "better-sqlite3";
import { MiniodbError } from "@miniodb/core";

/** The database handle of the embedded store (better-sqlite3). */
export type SqliteDatabase = Database.Database;

/** One schema change. Migrations run in array order; each is applied exactly once. */
export interface SqliteMigration {
  /** Shown in errors. */
  readonly name: string;
  readonly sql: string;
}

/**
 * Opens (creating if needed) the SQLite file behind the embedded metadata store and brings its
 * schema up to date.
 *
 * Crash safety: write-ahead journal with `synchronous = FULL`, so a committed transaction survives
 * `kill -9` and power loss. Each migration runs in its own transaction and bumps `user_version`,
 * so a failed migration leaves the previous schema intact. A file written by a newer release
 * (more migrations than this one knows) is refused rather than misread.
 */
export function openSqliteDatabase(path: string, migrations: readonly SqliteMigration[]): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(path);
  } catch (error) {
    throw new MiniodbError("unavailable", `cannot open metadata database ${path}`, { cause: error });
  }
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: SqliteDatabase, migrations: readonly SqliteMigration[]): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new MiniodbError(
      "failed_precondition",
      `metadata database is at schema version ${current}, newer than this release (${migrations.length})`,
    );
  }
  migrations.slice(current).forEach((migration, offset) => {
    const version = current + offset + 1;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        db.pragma(`user_version = ${version}`);
      })();
    } catch (error) {
      throw new MiniodbError("internal", `metadata migration ${version} (${migration.name}) failed`, {
        cause: error,
      });
    }
  });
}
