import type { Tombstone } from "@miniodb/core";
import type { SqliteDatabase } from "../sqlite-database.js";
import { sqliteValues } from "./sqlite-values.js";

type TombstoneRow = [
  id: string,
  sequence: bigint,
  soft: bigint,
  createdAt: bigint,
  restoreSequence: bigint | null,
];

/**
 * The `tombstones` table: at most one tombstone per (table, id), the one with the highest
 * sequence. Callers check the table exists and run these inside a transaction.
 */
export class TombstoneTable {
  readonly #upsert;
  readonly #list;
  readonly #listIds;
  readonly #retire;
  readonly #putBack;
  readonly #removeSoft;
  readonly #dataVersion;
  /**
   * Each table's whole list, as last read: dropped by `forget` whenever this store changes the
   * table's tombstones, and all of them when another connection changed the file (`PRAGMA
   * data_version`).
   */
  readonly #lists = new Map<string, readonly Tombstone[]>();
  #seenDataVersion: number;

  constructor(db: SqliteDatabase) {
    // An equal or lower sequence leaves the stored tombstone as it is. A soft tombstone replacing
    // a hard one remembers it; replacing a soft one, it keeps what that one remembered.
    this.#upsert = db.prepare<[string, string, bigint, number, number]>(
      "INSERT INTO tombstones (table_name, id, sequence, soft, created_at) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (table_name, id) DO UPDATE SET sequence = excluded.sequence, soft = excluded.soft, " +
        "created_at = excluded.created_at, restore_sequence = CASE WHEN excluded.soft = 0 THEN NULL " +
        "WHEN tombstones.soft = 0 THEN tombstones.sequence ELSE tombstones.restore_sequence END " +
        "WHERE excluded.sequence > tombstones.sequence",
    );
    this.#list = db
      .prepare<[string], TombstoneRow>(
        "SELECT id, sequence, soft, created_at, restore_sequence FROM tombstones WHERE table_name = ? ORDER BY id",
      )
      .raw()
      .safeIntegers();
    this.#listIds = db
      .prepare<[string, string], TombstoneRow>(
        "SELECT id, sequence, soft, created_at, restore_sequence FROM tombstones " +
          "WHERE table_name = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id",
      )
      .raw()
      .safeIntegers();
    this.#putBack = db.prepare<[string, string, bigint]>(
      "UPDATE tombstones SET sequence = restore_sequence, soft = 0, restore_sequence = NULL " +
        "WHERE table_name = ? AND id = ? AND sequence = ? AND soft = 1 AND restore_sequence IS NOT NULL",
    );
    this.#removeSoft = db.prepare<[string, string, bigint]>(
      "DELETE FROM tombstones WHERE table_name = ? AND id = ? AND sequence = ? AND soft = 1",
    );
    this.#dataVersion = db.prepare<[], number>("PRAGMA data_version").pluck();
    this.#seenDataVersion = this.#dataVersion.get()!;
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

  /**
   * Every tombstone of the table (the same frozen array until the table's tombstones change), or
   * those of `ids`, sorted by id.
   */
  list(table: string, ids?: readonly string[]): readonly Tombstone[] {
    if (ids !== undefined) return this.#rows(this.#listIds.all(table, JSON.stringify(ids)));
    const dataVersion = this.#dataVersion.get()!;
    if (dataVersion !== this.#seenDataVersion) {
      this.#lists.clear();
      this.#seenDataVersion = dataVersion;
    }
    let list = this.#lists.get(table);
    if (!list) this.#lists.set(table, (list = Object.freeze(this.#rows(this.#list.all(table)))));
    return list;
  }

  /** Forgets the table's list: its tombstones changed (or may have), or it was deleted. */
  forget(table: string): void {
    this.#lists.delete(table);
  }

  #rows(rows: readonly TombstoneRow[]): Tombstone[] {
    return rows.map(([id, sequence, soft, createdAt, restoreSequence]) => ({
      id,
      sequence,
      soft: soft === 1n,
      createdAt: sqliteValues.date(createdAt),
      ...(restoreSequence === null ? {} : { restoreSequence }),
    }));
  }

  restore(table: string, soft: ReadonlyArray<{ id: string; sequence: bigint }>): void {
    for (const { id, sequence } of soft) {
      const value = sqliteValues.sequence(sequence, "restore sequence");
      if (this.#putBack.run(table, id, value).changes === 0) this.#removeSoft.run(table, id, value);
    }
  }

  retire(table: string, upTo: ReadonlyArray<{ id: string; sequence: bigint }>): void {
    for (const { id, sequence } of upTo) {
      this.#retire.run(table, id, sqliteValues.sequence(sequence, "retire sequence"));
    }
  }
}
