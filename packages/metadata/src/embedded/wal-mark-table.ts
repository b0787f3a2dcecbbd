import type { WalMark } from "@miniodb/core";
import type { SqliteDatabase } from "../sqlite-database.js";
import { sqliteValues } from "./sqlite-values.js";

interface WalMarkRow {
  node_id: string;
  sequence: bigint;
  updated_at: bigint;
}

/** The `wal_marks` table: each worker's WAL low-water mark, kept until removed (no expiry). */
export class WalMarkTable {
  readonly #put;
  readonly #list;
  readonly #remove;

  constructor(db: SqliteDatabase) {
    this.#put = db.prepare<[string, bigint, number]>(
      "INSERT OR REPLACE INTO wal_marks (node_id, sequence, updated_at) VALUES (?, ?, ?)",
    );
    this.#list = db
      .prepare<[], WalMarkRow>("SELECT node_id, sequence, updated_at FROM wal_marks ORDER BY node_id")
      .safeIntegers();
    this.#remove = db.prepare<[string]>("DELETE FROM wal_marks WHERE node_id = ?");
  }

  put(mark: WalMark): void {
    this.#put.run(
      mark.nodeId,
      sqliteValues.sequence(mark.sequence, "sequence"),
      sqliteValues.millis(mark.updatedAt, "updatedAt"),
    );
  }

  list(): WalMark[] {
    return this.#list.all().map((row) => ({
      nodeId: row.node_id,
      sequence: row.sequence,
      updatedAt: sqliteValues.date(row.updated_at),
    }));
  }

  remove(nodeId: string): void {
    this.#remove.run(nodeId);
  }
}
