import { MiniodbError, type TableConfig, type TableEntry } from "@miniodb/core";
import { isUniqueViolation } from "../errors.js";
import type { SqliteDatabase } from "../sqlite-database.js";
import { sqliteValues } from "./sqlite-values.js";

interface TableRow {
  name: string;
  config: string;
  created_at: number;
}

/** The `tables` table: table entries (config as JSON) and the time of their latest write. */
export class TableCatalog {
  readonly #insert;
  readonly #get;
  readonly #list;
  readonly #delete;
  readonly #touch;
  readonly #lastWrite;
  readonly #exists;

  constructor(db: SqliteDatabase) {
    this.#insert = db.prepare<[string, string, number]>(
      "INSERT INTO tables (name, config, created_at) VALUES (?, ?, ?)",
    );
    this.#get = db.prepare<[string], TableRow>("SELECT name, config, created_at FROM tables WHERE name = ?");
    this.#list = db.prepare<[], TableRow>("SELECT name, config, created_at FROM tables ORDER BY name");
    this.#delete = db.prepare<[string]>("DELETE FROM tables WHERE name = ?");
    // The latest write wins even when touches arrive out of order.
    this.#touch = db.prepare<[{ name: string; lastWrite: number }]>(
      "UPDATE tables SET last_write = max(coalesce(last_write, :lastWrite), :lastWrite) WHERE name = :name",
    );
    this.#lastWrite = db
      .prepare<[string], number | null>("SELECT last_write FROM tables WHERE name = ?")
      .pluck();
    this.#exists = db.prepare<[string], number>("SELECT 1 FROM tables WHERE name = ?").pluck();
  }

  create(table: TableEntry): void {
    const createdAt = sqliteValues.millis(table.createdAt, "createdAt");
    try {
      this.#insert.run(table.name, JSON.stringify(table.config), createdAt);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new MiniodbError("already_exists", `table ${table.name} already exists`, {
        cause: error,
        details: { table: table.name },
      });
    }
  }

  get(name: string): TableEntry | undefined {
    const row = this.#get.get(name);
    return row && toEntry(row);
  }

  list(): TableEntry[] {
    return this.#list.all().map(toEntry);
  }

  /** Throws not_found unless the table exists. */
  require(name: string): void {
    if (this.#exists.get(name) === undefined) throw notFound(name);
  }

  /** Deletes the table row; the schema cascades the rest. */
  delete(name: string): void {
    if (this.#delete.run(name).changes === 0) throw notFound(name);
  }

  touch(name: string, lastWrite: Date): void {
    const millis = sqliteValues.millis(lastWrite, "lastWrite");
    if (this.#touch.run({ name, lastWrite: millis }).changes === 0) throw notFound(name);
  }

  lastWrite(name: string): Date | undefined {
    const millis = this.#lastWrite.get(name);
    return millis === undefined || millis === null ? undefined : sqliteValues.date(millis);
  }
}

function toEntry(row: TableRow): TableEntry {
  return {
    name: row.name,
    config: JSON.parse(row.config) as TableConfig,
    createdAt: sqliteValues.date(row.created_at),
  };
}

function notFound(table: string): MiniodbError {
  return new MiniodbError("not_found", `table ${table} does not exist`, { details: { table } });
}
