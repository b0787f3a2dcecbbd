import { MiniodbError, type Lease } from "@miniodb/core";
import type { SqliteDatabase } from "../sqlite-database.js";
import { sqliteValues } from "./sqlite-values.js";

interface LeaseRow {
  holder: string | null;
  expires_at: number;
  token: number;
}

/**
 * The `leases` table. A released lease keeps its row (holder NULL) so the fencing token never goes
 * back: every new grant, to anyone, gets the previous token + 1; a renewal by the current holder
 * before expiry keeps its token and moves `expiresAt`.
 */
export class LeaseTable {
  readonly #get;
  readonly #put;
  readonly #release;

  constructor(db: SqliteDatabase) {
    this.#get = db.prepare<[string], LeaseRow>("SELECT holder, expires_at, token FROM leases WHERE name = ?");
    this.#put = db.prepare<[string, string, number, number]>(
      "INSERT OR REPLACE INTO leases (name, holder, expires_at, token) VALUES (?, ?, ?, ?)",
    );
    this.#release = db.prepare<[string, string, number]>(
      "UPDATE leases SET holder = NULL WHERE name = ? AND holder = ? AND token = ?",
    );
  }

  /** Run inside a write transaction. */
  acquire(name: string, holder: string, now: Date, ttlMs: number): Lease | undefined {
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
      throw new MiniodbError("invalid_argument", `lease ttl must be a positive integer (ms), got ${ttlMs}`);
    }
    const nowMillis = sqliteValues.millis(now, "now");
    const row = this.#get.get(name);
    const held = row !== undefined && row.holder !== null && row.expires_at > nowMillis;
    if (held && row.holder !== holder) return undefined;
    const token = held ? row.token : (row?.token ?? 0) + 1;
    const expiresAt = nowMillis + ttlMs;
    this.#put.run(name, holder, expiresAt, token);
    return { name, holder, expiresAt: sqliteValues.date(expiresAt), token };
  }

  release(lease: Lease): void {
    this.#release.run(lease.name, lease.holder, lease.token);
  }
}
