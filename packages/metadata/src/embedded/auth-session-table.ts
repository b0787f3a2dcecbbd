import type { AuthSession, AuthSessionRotation } from "@miniodb/core";
import type { SqliteDatabase } from "../sqlite-database.js";
import { sqliteValues } from "./sqlite-values.js";

interface SessionRow {
  key_id: string;
  token_id: string;
  expires_at: number;
  revoked: number;
}

/** Expired sessions deleted per create, so pruning stays cheap however many have piled up. */
export const AUTH_SESSION_PRUNE_BATCH = 100;

/**
 * The `auth_sessions` table: one row per refresh-token chain. A session counts until
 * `now >= expiresAt`; each create also deletes a bounded batch of expired rows. Methods that change
 * rows run inside the store's write transaction, so a rotation is one atomic compare-and-swap.
 */
export class AuthSessionTable {
  readonly #get;
  readonly #insert;
  readonly #setToken;
  readonly #revoke;
  readonly #prune;
  readonly #dropExpired;

  constructor(db: SqliteDatabase) {
    this.#get = db.prepare<[string, number], SessionRow>(
      "SELECT key_id, token_id, expires_at, revoked FROM auth_sessions WHERE id = ? AND expires_at > ?",
    );
    this.#insert = db.prepare<[string, string, string, number]>(
      "INSERT INTO auth_sessions (id, key_id, token_id, expires_at, revoked) VALUES (?, ?, ?, ?, 0)",
    );
    this.#setToken = db.prepare<[string, string]>("UPDATE auth_sessions SET token_id = ? WHERE id = ?");
    this.#revoke = db.prepare<[string]>("UPDATE auth_sessions SET revoked = 1 WHERE id = ?");
    this.#dropExpired = db.prepare<[string, number]>(
      "DELETE FROM auth_sessions WHERE id = ? AND expires_at <= ?",
    );
    this.#prune = db.prepare<[number, number]>(
      "DELETE FROM auth_sessions WHERE id IN " +
        "(SELECT id FROM auth_sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)",
    );
  }

  get(id: string, now: Date): AuthSession | undefined {
    const row = this.#get.get(id, sqliteValues.millis(now, "now"));
    return row && sessionOf(id, row);
  }

  /** Run inside a write transaction. `already_exists` (from the primary key) when the id is taken. */
  create(session: Omit<AuthSession, "revoked">, now: Date): void {
    const expiresAt = sqliteValues.millis(session.expiresAt, "expiresAt");
    const nowMillis = sqliteValues.millis(now, "now");
    this.#dropExpired.run(session.id, nowMillis);
    this.#prune.run(nowMillis, AUTH_SESSION_PRUNE_BATCH);
    this.#insert.run(session.id, session.keyId, session.refreshTokenId, expiresAt);
  }

  rotate(id: string, presented: string, next: string, now: Date): AuthSessionRotation {
    const session = this.get(id, now);
    if (!session) return { outcome: "unknown" };
    if (session.revoked) return { outcome: "revoked" };
    if (session.refreshTokenId !== presented) {
      this.#revoke.run(id);
      return { outcome: "reused" };
    }
    this.#setToken.run(next, id);
    return { outcome: "rotated", session: { ...session, refreshTokenId: next } };
  }

  revoke(id: string, now: Date): void {
    if (this.get(id, now)) this.#revoke.run(id);
  }
}

function sessionOf(id: string, row: SessionRow): AuthSession {
  return {
    id,
    keyId: row.key_id,
    refreshTokenId: row.token_id,
    expiresAt: sqliteValues.date(row.expires_at),
    revoked: row.revoked === 1,
  };
}
