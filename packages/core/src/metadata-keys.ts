import { MiniodbError } from "./miniodb-error.js";
import { parseTableName } from "./table-name.js";

/**
 * Every Redis key the Redis MetadataStore writes, built and parsed here and nowhere else.
 *
 *     tables                          set     names of all tables (ListTables reads it; no SCAN)
 *     table:{<t>}:config              hash    name, config (JSON), created_at (epoch ms), uid,
 *                                             manifest_version, last_write (epoch ms),
 *                                             tombstones_version (bumped by every tombstone change)
 *     table:{<t>}:schemas             hash    <version> → columns (JSON)
 *     table:{<t>}:manifest            hash    <object key> → data file (JSON array)
 *     table:{<t>}:tombstones          hash    <record id> → ["<sequence>", soft 0|1, created_at]
 *     sequence:<name>                 string  the last value handed out (decimal)
 *     lease:<name>                    hash    holder, expires_at (epoch ms), token
 *     idempotency:<key>               string  {"response", "expires_at"} (JSON), with a Redis TTL
 *     auth_session:<id>               hash    key_id, token_id, expires_at (epoch ms), revoked 0|1,
 *                                             with a Redis TTL past expires_at
 *     nodes:{registry}                hash    <node id> → node entry (JSON)
 *     nodes:{registry}:expiry         zset    <node id> scored by expires_at (epoch ms)
 *     backups:{catalog}               hash    <backup id> → backup entry (JSON)
 *     backups:{catalog}:by_time       zset    <backup id> scored by created_at (epoch ms)
 *     wal_marks                       hash    <worker id> → WAL low-water mark
 *                                             {"sequence", "updated_at"} (JSON), no expiry
 *
 * Why the braces: in Redis Cluster only the part between the first `{` and `}` (the hash tag)
 * picks the slot, so every key of table `users` (`table:{users}:…`) lives on one node and a Lua
 * script can change its manifest, schemas and tombstones atomically (manifest and schema
 * compare-and-swap). The same layout is used in every mode, so data moves between standalone,
 * Sentinel and Cluster unchanged. The reference README's `redis-cli hgetall "table:users:config"`
 * therefore reads `redis-cli hgetall "table:{users}:config"` here.
 *
 * Sequences are decimal strings because they exceed 2^53. `<t>` is a valid table name (letters,
 * digits, `_`), so it can never contain `{`, `}` or `:`; names of sequences, leases, idempotency
 * keys and auth sessions are taken verbatim up to the end of the key.
 */
export type MetadataKey =
  | { readonly kind: "tables" }
  | { readonly kind: TablePart; readonly table: string }
  | { readonly kind: "sequence" | "lease" | "idempotency" | "auth-session"; readonly name: string }
  | { readonly kind: "nodes" | "node-expiry" | "backups" | "backup-times" | "wal-marks" };

/** The per-table keys, by the last segment of their key. */
export type TablePart = "config" | "schemas" | "manifest" | "tombstones";

const TABLE_PARTS: readonly TablePart[] = ["config", "schemas", "manifest", "tombstones"];
const NAMED = {
  sequence: "sequence:",
  lease: "lease:",
  idempotency: "idempotency:",
  "auth-session": "auth_session:",
} as const;
const FIXED = {
  tables: "tables",
  nodes: "nodes:{registry}",
  "node-expiry": "nodes:{registry}:expiry",
  backups: "backups:{catalog}",
  "backup-times": "backups:{catalog}:by_time",
  "wal-marks": "wal_marks",
} as const;
const TABLE_KEY = /^table:\{([^{}:]+)\}:([a-z]+)$/;

/** Builders of every key; table names are validated (`invalid_argument`). */
export const metadataKeys = {
  tables: (): string => FIXED.tables,
  table: (table: string, part: TablePart): string => `table:{${parseTableName(table)}}:${part}`,
  /** The four keys of a table, in `TABLE_PARTS` order (config first). */
  tableKeys: (table: string): string[] => TABLE_PARTS.map((part) => metadataKeys.table(table, part)),
  sequence: (name: string): string => NAMED.sequence + name,
  lease: (name: string): string => NAMED.lease + name,
  idempotency: (key: string): string => NAMED.idempotency + key,
  authSession: (id: string): string => NAMED["auth-session"] + id,
  nodes: (): string => FIXED.nodes,
  nodeExpiry: (): string => FIXED["node-expiry"],
  backups: (): string => FIXED.backups,
  backupTimes: (): string => FIXED["backup-times"],
  walMarks: (): string => FIXED["wal-marks"],
};

/** Parses a key of the layout above; `invalid_argument` for any other key. */
export function parseMetadataKey(key: string): MetadataKey {
  for (const [kind, fixed] of Object.entries(FIXED)) {
    if (key === fixed) return { kind: kind as keyof typeof FIXED };
  }
  for (const [kind, prefix] of Object.entries(NAMED)) {
    if (key.startsWith(prefix) && key.length > prefix.length) {
      return { kind: kind as keyof typeof NAMED, name: key.slice(prefix.length) };
    }
  }
  const match = TABLE_KEY.exec(key);
  const part = match?.[2] as TablePart | undefined;
  if (match && part && TABLE_PARTS.includes(part)) {
    return { kind: part, table: parseTableName(match[1]) };
  }
  throw new MiniodbError("invalid_argument", `not a metadata key: ${JSON.stringify(key.slice(0, 200))}`);
}

/** The SCAN pattern matching every key of a table (for inspection and cleanup checks). */
export function tableKeyPattern(table: string): string {
  return `table:{${parseTableName(table)}}:*`;
}
