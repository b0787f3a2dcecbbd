import { MiniodbError, type ColumnDef, type SchemaEntry } from "@miniodb/core";
import type { SqliteDatabase } from "../sqlite-database.js";
import { sqliteValues } from "./sqlite-values.js";

interface SchemaRow {
  version: number;
  columns: string;
}

const EMPTY: SchemaEntry = Object.freeze({ version: 0, columns: Object.freeze([]) });

/** The `schemas` table: every version of each table's columns. Callers check the table exists. */
export class SchemaHistory {
  readonly #latest;
  readonly #list;
  readonly #insert;

  constructor(db: SqliteDatabase) {
    this.#latest = db.prepare<[string], SchemaRow>(
      "SELECT version, columns FROM schemas WHERE table_name = ? ORDER BY version DESC LIMIT 1",
    );
    this.#list = db.prepare<[string], SchemaRow>(
      "SELECT version, columns FROM schemas WHERE table_name = ? ORDER BY version",
    );
    this.#insert = db.prepare<[string, number, string]>(
      "INSERT INTO schemas (table_name, version, columns) VALUES (?, ?, ?)",
    );
  }

  latest(table: string): SchemaEntry {
    const row = this.#latest.get(table);
    return row ? toEntry(row) : EMPTY;
  }

  list(table: string): SchemaEntry[] {
    return this.#list.all(table).map(toEntry);
  }

  /** Appends `schema` when it is the next version; `aborted` when another writer got there first. */
  put(table: string, schema: SchemaEntry): void {
    const version = sqliteValues.integer(schema.version, "schema version");
    const latest = this.#latest.get(table)?.version ?? 0;
    if (version !== latest + 1) {
      throw new MiniodbError(
        "aborted",
        `schema of ${table} is at version ${latest}; cannot store version ${version}`,
        { details: { table } },
      );
    }
    this.#insert.run(table, version, JSON.stringify(schema.columns));
  }
}

function toEntry(row: SchemaRow): SchemaEntry {
  return { version: row.version, columns: JSON.parse(row.columns) as ColumnDef[] };
}
