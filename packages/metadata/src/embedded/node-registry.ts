import type { NodeEntry, NodeRole, NodeState } from "@miniodb/core";
import type { SqliteDatabase } from "../sqlite-database.js";
import { sqliteValues } from "./sqlite-values.js";

interface NodeRow {
  id: string;
  role: NodeRole;
  address: string;
  started_at: number;
  expires_at: number;
  state: NodeState;
}

/** Entries that lapsed this long before a listing's `now` are deleted by it. */
export const NODE_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * The `nodes` table. An entry is live while `now < expiresAt`; a node that stops renewing simply
 * drops out of listings, and its row is pruned once it has been expired for `NODE_RETENTION_MS`.
 */
export class NodeRegistry {
  readonly #put;
  readonly #list;
  readonly #prune;
  readonly #remove;

  constructor(db: SqliteDatabase) {
    this.#put = db.prepare<[string, string, string, number, number, string]>(
      "INSERT OR REPLACE INTO nodes (id, role, address, started_at, expires_at, state) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#list = db.prepare<[number], NodeRow>(
      "SELECT id, role, address, started_at, expires_at, state FROM nodes WHERE expires_at > ? ORDER BY id",
    );
    this.#prune = db.prepare<[number]>("DELETE FROM nodes WHERE expires_at <= ?");
    this.#remove = db.prepare<[string]>("DELETE FROM nodes WHERE id = ?");
  }

  put(node: NodeEntry): void {
    this.#put.run(
      node.id,
      node.role,
      node.address,
      sqliteValues.millis(node.startedAt, "startedAt"),
      sqliteValues.millis(node.expiresAt, "expiresAt"),
      node.state ?? "active",
    );
  }

  /** Live nodes at `now`, sorted by id. Run inside a write transaction (it prunes). */
  list(now: Date): NodeEntry[] {
    const millis = sqliteValues.millis(now, "now");
    this.#prune.run(millis - NODE_RETENTION_MS);
    return this.#list.all(millis).map((row) => ({
      id: row.id,
      role: row.role,
      address: row.address,
      startedAt: sqliteValues.date(row.started_at),
      expiresAt: sqliteValues.date(row.expires_at),
      ...(row.state === "active" ? {} : { state: row.state }),
    }));
  }

  remove(id: string): void {
    this.#remove.run(id);
  }
}
