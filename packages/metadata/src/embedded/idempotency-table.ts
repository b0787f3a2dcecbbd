import type { IdempotencyEntry } from "@miniodb/core";
import type { SqliteDatabase } from "../sqlite-database.js";
import { sqliteValues } from "./sqlite-values.js";

interface IdempotencyRow {
  response: string;
  expires_at: number;
}

/** Expired entries deleted per put, so pruning stays cheap however many have piled up. */
export const IDEMPOTENCY_PRUNE_BATCH = 100;

/**
 * The `idempotency` table. An entry counts until `now >= expiresAt`; the first writer of an
 * unexpired key wins. Each put also deletes a bounded batch of expired entries.
 */
export class IdempotencyTable {
  readonly #get;
  readonly #put;
  readonly #prune;

  constructor(db: SqliteDatabase) {
    this.#get = db.prepare<[string, number], IdempotencyRow>(
      "SELECT response, expires_at FROM idempotency WHERE key = ? AND expires_at > ?",
    );
    this.#put = db.prepare<[string, string, number]>(
      "INSERT OR REPLACE INTO idempotency (key, response, expires_at) VALUES (?, ?, ?)",
    );
    this.#prune = db.prepare<[number, number]>(
      "DELETE FROM idempotency WHERE key IN " +
        "(SELECT key FROM idempotency WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)",
    );
  }

  get(key: string, now: Date): IdempotencyEntry | undefined {
    const row = this.#get.get(key, sqliteValues.millis(now, "now"));
    return row && { key, response: row.response, expiresAt: sqliteValues.date(row.expires_at) };
  }

  /** Run inside a write transaction. Returns the entry that is stored now. */
  put(entry: IdempotencyEntry, now: Date): IdempotencyEntry {
    const nowMillis = sqliteValues.millis(now, "now");
    const existing = this.get(entry.key, now);
    if (existing) return existing;
    const expiresAt = sqliteValues.millis(entry.expiresAt, "expiresAt");
    this.#prune.run(nowMillis, IDEMPOTENCY_PRUNE_BATCH);
    this.#put.run(entry.key, entry.response, expiresAt);
    return { key: entry.key, response: entry.response, expiresAt: sqliteValues.date(expiresAt) };
  }
}
