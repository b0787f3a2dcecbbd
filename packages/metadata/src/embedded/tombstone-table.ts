import type { Tombstone } from "@miniodb/core";
import type { SqliteDatabase } from "../sqlite-database.js";
import { sqliteValues } from "./sqlite-values.js";

type TombstoneRow = [id: string, sequence: bigint, soft: bigint, createdAt: bigint];

/**
 * The `tombstones` table: at most one tombstone per (table, id), the one with the highest
 * sequence. Callers check the table exists and run these inside a transaction.
 */
export class TombstoneTable {
  readonly #upsert;
  readonly #list;
  readonly #retire;

  constructor(db: SqliteDatabase) {
    // An equal or lower sequence leaves the stored tombstone as it is.
    this.#upsert = db.prepare<[string, string, bigint, number, number]>(
      "INSERT INTO tombstones (table_name, id, sequence, soft, created_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (table_name, id) DO UPDATE SET sequence = excluded.sequence, soft = excluded.soft, " +
        "created_at = excluded.created_at WHERE excluded.sequence > tombstones.sequence",
    );
    this.#list = db
      .prepare<[string], TombstoneRow>(
        "SELECT id, sequence, soft, created_at FROM tombstones WHERE table_name = ? ORDER BY id",
      )
      .raw()
      .safeIntegers();
    this.#retire = db.prepare<[string, string, bigint]>(
      "DELETE FROM tombstones WHERE table_name = ? AND id = ? AND sequence <= ?",
    );
  }

  add(table: string, tombstones: readonly Tombstone[]): void {
    for (const tombstone of tombstones) {
      this.#upsert.run(
        table,
        tombstone.id,
        sqliteValues.sequence(tombstone.sequence, "tombstone sequence"),
        tombstone.soft ? 1 : 0,
        sqliteValues.millis(tombstone.createdAt, "tombstone createdAt"),
      );
    }
  }

  /** Every tombstone of the table, sorted by id. */
  list(table: string): Tombstone[] {
    return this.#list.all(table).map(([id, sequence, soft, createdAt]) => ({
      id,
      sequence,
      soft: soft === 1n,
      createdAt: sqliteValues.date(createdAt),
    }));
  }

  retire(table: string, upTo: ReadonlyArray<{ id: string; sequence: bigint }>): void {
    for (const { id, sequence } of upTo) {
      this.#retire.run(table, id, sqliteValues.sequence(sequence, "retire sequence"));
    }
  }
}
