import type { BackupEntry } from "@miniodb/core";
import type { SqliteDatabase } from "../sqlite-database.js";
import { sqliteValues } from "./sqlite-values.js";

interface BackupRow {
  id: string;
  object_key: string;
  node_id: string;
  created_at: number;
  size_bytes: number;
}

/** The `backups` table: one row per metadata backup, replaced when its id is put again. */
export class BackupTable {
  readonly #put;
  readonly #list;

  constructor(db: SqliteDatabase) {
    this.#put = db.prepare<[string, string, string, number, number]>(
      "INSERT OR REPLACE INTO backups (id, object_key, node_id, created_at, size_bytes) VALUES (?, ?, ?, ?, ?)",
    );
    this.#list = db.prepare<[number], BackupRow>(
      "SELECT id, object_key, node_id, created_at, size_bytes FROM backups " +
        "WHERE created_at >= ? ORDER BY created_at DESC, id DESC",
    );
  }

  put(backup: BackupEntry): void {
    this.#put.run(
      backup.id,
      backup.objectKey,
      backup.nodeId,
      sqliteValues.millis(backup.createdAt, "createdAt"),
      sqliteValues.integer(backup.sizeBytes, "sizeBytes"),
    );
  }

  /** Backups created at or after `since`, newest first (ties by id, descending). */
  list(since: Date): BackupEntry[] {
    return this.#list.all(sqliteValues.millis(since, "since")).map((row) => ({
      id: row.id,
      objectKey: row.object_key,
      nodeId: row.node_id,
      createdAt: sqliteValues.date(row.created_at),
      sizeBytes: row.size_bytes,
    }));
  }
}
