import type { SqliteMigration } from "../sqlite-database.js";

/**
 * The schema of the embedded metadata store, as migrations. Released migrations are never edited:
 * a change is a new entry at the end.
 *
 *     tables            one row per table: config (JSON), created_at, last_write
 *     schemas           (table, version) → columns (JSON)
 *     manifests         table → manifest version
 *     manifest_files    one row per data file, clustered by (table, key); key unique in the store
 *     tombstones        (table, id) → sequence, soft, created_at, restore_sequence
 *     sequences         name → next unreserved value
 *     nodes             id → role, address, started_at, expires_at, state
 *     leases            name → holder (NULL when released), expires_at, token
 *     backups           id → object key, node, created_at, size
 *     idempotency       key → response, expires_at
 *     auth_sessions     id → key_id, token_id (current refresh token), expires_at, revoked
 *     wal_marks         worker id → WAL low-water mark (sequence), updated_at; no expiry
 *
 * Everything a table owns references `tables(name)` with ON DELETE CASCADE, so deleting the table
 * row removes its schemas, manifest and tombstones in the same transaction. Times are INTEGER
 * epoch milliseconds; sequences INTEGER (signed 64-bit). Tables are STRICT, so a value of the wrong
 * type is refused instead of stored.
 */
export const EMBEDDED_MIGRATIONS: readonly SqliteMigration[] = [
  {
    name: "tables, schemas, manifests, tombstones",
    sql: `
      CREATE TABLE tables (
        name TEXT PRIMARY KEY,
        config TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_write INTEGER
      ) STRICT;
      CREATE TABLE schemas (
        table_name TEXT NOT NULL REFERENCES tables(name) ON DELETE CASCADE,
        version INTEGER NOT NULL CHECK (version > 0),
        columns TEXT NOT NULL,
        PRIMARY KEY (table_name, version)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE manifests (
        table_name TEXT PRIMARY KEY REFERENCES tables(name) ON DELETE CASCADE,
        version INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE manifest_files (
        table_name TEXT NOT NULL REFERENCES tables(name) ON DELETE CASCADE,
        key TEXT NOT NULL,
        partition TEXT NOT NULL,
        etag TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        row_count INTEGER NOT NULL,
        min_timestamp INTEGER NOT NULL,
        max_timestamp INTEGER NOT NULL,
        min_id TEXT NOT NULL,
        max_id TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        min_sequence INTEGER NOT NULL,
        max_sequence INTEGER NOT NULL,
        node_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (table_name, key)
      ) STRICT, WITHOUT ROWID;
      CREATE UNIQUE INDEX manifest_files_key ON manifest_files (key);
      CREATE TABLE tombstones (
        table_name TEXT NOT NULL REFERENCES tables(name) ON DELETE CASCADE,
        id TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        soft INTEGER NOT NULL CHECK (soft IN (0, 1)),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (table_name, id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    name: "sequences, nodes, leases, backups, idempotency",
    sql: `
      CREATE TABLE sequences (
        name TEXT PRIMARY KEY,
        next INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE nodes (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        address TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX nodes_expires_at ON nodes (expires_at);
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT,
        expires_at INTEGER NOT NULL,
        token INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE backups (
        id TEXT PRIMARY KEY,
        object_key TEXT NOT NULL,
        node_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        size_bytes INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX backups_created_at ON backups (created_at);
      CREATE TABLE idempotency (
        key TEXT PRIMARY KEY,
        response TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX idempotency_expires_at ON idempotency (expires_at);
    `,
  },
  {
    name: "tombstones remember the hard tombstone a soft delete replaced",
    sql: `ALTER TABLE tombstones ADD COLUMN restore_sequence INTEGER;`,
  },
  {
    name: "auth sessions",
    sql: `
      CREATE TABLE auth_sessions (
        id TEXT PRIMARY KEY,
        key_id TEXT NOT NULL,
        token_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked INTEGER NOT NULL CHECK (revoked IN (0, 1))
      ) STRICT;
      CREATE INDEX auth_sessions_expires_at ON auth_sessions (expires_at);
    `,
  },
  {
    name: "node state",
    sql: `ALTER TABLE nodes ADD COLUMN state TEXT NOT NULL DEFAULT 'active';`,
  },
  {
    name: "WAL marks",
    sql: `
      CREATE TABLE wal_marks (
        node_id TEXT PRIMARY KEY,
        sequence INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
