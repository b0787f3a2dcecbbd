import type { ColumnDef } from "./column-type.js";
import type { TableConfig } from "./table-config.js";

/** A table as the metadata store keeps it. */
export interface TableEntry {
  readonly name: string;
  readonly config: TableConfig;
  readonly createdAt: Date;
}

/** One version of a table's payload columns. */
export interface SchemaEntry {
  readonly version: number;
  readonly columns: readonly ColumnDef[];
}

/** A Parquet object of a table, with the stats queries prune by. Timestamps in epoch µs. */
export interface DataFile {
  /** Object key (see object-keys). Unique within its table's manifest. */
  readonly key: string;
  /** UTC day `YYYY-MM-DD` of every row in the file. */
  readonly partition: string;
  readonly etag: string;
  readonly sizeBytes: number;
  readonly rowCount: number;
  readonly minTimestamp: number;
  readonly maxTimestamp: number;
  readonly minId: string;
  readonly maxId: string;
  /** Schema version the file was written with. */
  readonly schemaVersion: number;
  /** Range of row sequence numbers in the file (inclusive). */
  readonly minSequence: bigint;
  readonly maxSequence: bigint;
  readonly nodeId: string;
  readonly createdAt: Date;
}

/** The set of live files of a table. `version` increases by one with every change. */
export interface Manifest {
  readonly table: string;
  readonly version: number;
  readonly files: readonly DataFile[];
}

/** Files to add to and remove from a manifest in one atomic step. */
export interface ManifestChange {
  readonly add?: readonly DataFile[];
  /** Object keys to remove. */
  readonly remove?: readonly string[];
  /** When set, the change applies only if the manifest is still at this version (else `aborted`). */
  readonly expectedVersion?: number;
  /**
   * When set, the change is made under a lease: it applies only while the lease has not been
   * granted again since `fence.token` was issued (else `aborted` with reason `lease_lost`), so a
   * holder whose lease lapsed and went to another node cannot commit stale work.
   */
  readonly fence?: LeaseFence;
}

/** A lease's name and the token of the grant a change is made under (see Lease). */
export interface LeaseFence {
  readonly name: string;
  readonly token: number;
}

/** Marks every version of a record with a sequence ≤ `sequence` as deleted. */
export interface Tombstone {
  readonly id: string;
  readonly sequence: bigint;
  /** Soft deletes stay restorable until purged; hard deletes are purged by compaction. */
  readonly soft: boolean;
  readonly createdAt: Date;
  /**
   * Set by the store on a soft tombstone that replaced a hard one (an update's): that hard
   * tombstone's sequence, which a restore puts back so that replaced versions stay hidden.
   */
  readonly restoreSequence?: bigint;
}

export type NodeRole = "all-in-one" | "query" | "worker";

/**
 * `active`: a full member. `draining`: a worker leaving the cluster; it takes no new writes but
 * still holds acknowledged rows that queries must read until it has flushed them and removed itself.
 * `joining`: a worker about to become active; the active workers already refuse writes of the
 * shards it will own and flush what they buffered of them before it turns active.
 */
export type NodeState = "active" | "draining" | "joining";

export interface NodeEntry {
  readonly id: string;
  readonly role: NodeRole;
  /** host:port other nodes reach it at. */
  readonly address: string;
  readonly startedAt: Date;
  /** Absent means active. */
  readonly state?: NodeState;
  /** The entry lapses (disappears from listings) after this time unless renewed. */
  readonly expiresAt: Date;
}

/**
 * A worker's WAL low-water mark: every row its WAL holds unflushed, and every row it writes from
 * now on, has a sequence at or above `sequence`. Unlike the node registry it never expires: a
 * worker that crashed keeps its mark until it has restarted and flushed what its WAL replayed, so
 * compaction keeps the tombstones such rows may still need (and a graceful leave removes it).
 */
export interface WalMark {
  readonly nodeId: string;
  readonly sequence: bigint;
  readonly updatedAt: Date;
}

/** Exclusive right to run one unit of background work until `expiresAt`. */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  readonly expiresAt: Date;
  /** Increases with every new grant; writers pass it along so stale holders can be fenced off. */
  readonly token: number;
}

export interface BackupEntry {
  readonly id: string;
  readonly objectKey: string;
  readonly nodeId: string;
  readonly createdAt: Date;
  readonly sizeBytes: number;
}

/** The stored outcome of a request carrying an idempotency key. */
export interface IdempotencyEntry {
  readonly key: string;
  /** The serialised response to return to a retry. */
  readonly response: string;
  readonly expiresAt: Date;
}

/**
 * A sign-in session: the chain of refresh tokens issued from one GetToken. Only the id of the
 * current refresh token is kept; presenting an older one (reuse) revokes the session, and with it
 * every access token that names the session.
 */
export interface AuthSession {
  readonly id: string;
  /** The API key the session was opened with. */
  readonly keyId: string;
  /** Id of the one refresh token that may be exchanged next. */
  readonly refreshTokenId: string;
  /** The session and its tokens are void after this; the store may forget it from then on. */
  readonly expiresAt: Date;
  readonly revoked: boolean;
}

/** What presenting a refresh token did: `rotated` holds the session with its new token id. */
export type AuthSessionRotation =
  | { readonly outcome: "rotated"; readonly session: AuthSession }
  | { readonly outcome: "reused" | "revoked" | "unknown" };

/**
 * Port: where MinIODB keeps everything but the data itself (embedded SQLite, Redis).
 *
 * Every method is atomic. Errors: `already_exists` / `not_found` where named, `aborted` for a lost
 * compare-and-swap, `unavailable` when the store cannot be reached, `invalid_argument` for values
 * out of range. Writes that name a table (schemas, manifest, tombstones, touch) fail with
 * `not_found` when the table does not exist, so a late write cannot resurrect a deleted table.
 * Times come from the caller, so implementations need no clock of their own for correctness.
 */
export interface MetadataStore {
  // Tables ---------------------------------------------------------------------------------------
  /** Creates a table; `already_exists` when the name is taken. */
  createTable(table: TableEntry): Promise<void>;
  getTable(name: string): Promise<TableEntry | undefined>;
  /** Every table, sorted by name. */
  listTables(): Promise<TableEntry[]>;
  /**
   * Removes a table with its schemas, manifest and tombstones and returns the manifest it had
   * (so the caller can delete the objects). `not_found` when absent.
   */
  deleteTable(name: string): Promise<Manifest>;
  /** Records the time of the latest acknowledged write. */
  touchTable(name: string, lastWrite: Date): Promise<void>;
  getLastWrite(name: string): Promise<Date | undefined>;

  // Schemas --------------------------------------------------------------------------------------
  /** The latest schema version of a table; version 0 with no columns when none was stored. */
  getSchema(table: string): Promise<SchemaEntry>;
  /** Stores `schema` if the latest version is `schema.version - 1`; otherwise `aborted`. */
  putSchema(table: string, schema: SchemaEntry): Promise<void>;
  /** Every stored version, oldest first. */
  listSchemas(table: string): Promise<SchemaEntry[]>;

  // Manifest -------------------------------------------------------------------------------------
  /** The live files, in no particular order. */
  getManifest(table: string): Promise<Manifest>;
  /**
   * Applies a change atomically and returns the new manifest version (every commit, even an empty
   * one, adds one). Adding a key already present is `already_exists`; with `expectedVersion`, a
   * version mismatch or removing a missing key is `aborted`; without it, missing keys are ignored.
   * With `fence`, a change whose lease was granted again since (its current token differs, or a
   * commit to this table carried a higher token of it) is `aborted` with reason `lease_lost`.
   */
  commitManifest(table: string, change: ManifestChange): Promise<number>;

  // Tombstones -----------------------------------------------------------------------------------
  /** Adds tombstones; for an id that has one, the higher sequence wins. */
  addTombstones(table: string, tombstones: readonly Tombstone[]): Promise<void>;
  /**
   * The table's tombstones, sorted by id; with `ids`, only those ids' tombstones (an id without
   * one is left out), read by key rather than by scanning the table's tombstones. Without `ids`,
   * a store may keep the list and, while the table's tombstones stay unchanged, answer with that
   * same (frozen) array after a cheap check: callers may key derived data by it.
   */
  listTombstones(table: string, ids?: readonly string[]): Promise<readonly Tombstone[]>;
  /**
   * Undoes soft deletes: for each id whose tombstone is the soft one at exactly `sequence`, puts
   * back the hard tombstone it replaced (`restoreSequence`), or removes it if there was none.
   * Other tombstones are left as they are.
   */
  restoreTombstones(table: string, soft: ReadonlyArray<{ id: string; sequence: bigint }>): Promise<void>;
  /** Removes tombstones whose sequence is ≤ the given one for their id (after compaction). */
  retireTombstones(table: string, upTo: ReadonlyArray<{ id: string; sequence: bigint }>): Promise<void>;

  // Sequences ------------------------------------------------------------------------------------
  /** Reserves `count` consecutive values of a named counter and returns the first. Starts at 1. */
  reserveSequence(name: string, count: number): Promise<bigint>;

  // Nodes ----------------------------------------------------------------------------------------
  /** Registers or renews a node until `node.expiresAt`. */
  putNode(node: NodeEntry): Promise<void>;
  /** Nodes not yet expired at `now`, sorted by id. */
  listNodes(now: Date): Promise<NodeEntry[]>;
  removeNode(id: string): Promise<void>;

  // WAL marks ------------------------------------------------------------------------------------
  /** Stores a worker's WAL low-water mark, replacing the one it had. */
  putWalMark(mark: WalMark): Promise<void>;
  /** Every stored mark, sorted by node id. */
  listWalMarks(): Promise<WalMark[]>;
  /** Removes a worker's mark; removing one that is not there is harmless. */
  removeWalMark(nodeId: string): Promise<void>;

  // Leases ---------------------------------------------------------------------------------------
  /** Grants the lease to `holder` if it is free, expired at `now`, or already theirs (renewal). */
  acquireLease(name: string, holder: string, now: Date, ttlMs: number): Promise<Lease | undefined>;
  /** Releases the lease if `lease.holder` still holds it with `lease.token`. */
  releaseLease(lease: Lease): Promise<void>;

  // Backups --------------------------------------------------------------------------------------
  putBackup(backup: BackupEntry): Promise<void>;
  /** Backups created at or after `since`, newest first. */
  listBackups(since: Date): Promise<BackupEntry[]>;

  // Idempotency ----------------------------------------------------------------------------------
  /** The stored response for `key` if it has not expired at `now`. */
  getIdempotency(key: string, now: Date): Promise<IdempotencyEntry | undefined>;
  /** Stores the response for `key`; an existing unexpired entry is kept (first writer wins). */
  putIdempotency(entry: IdempotencyEntry, now: Date): Promise<IdempotencyEntry>;

  // Auth sessions -------------------------------------------------------------------------------
  /**
   * Stores a new session (not revoked); `already_exists` when the id is taken by a session that
   * has not expired at `now`.
   */
  createAuthSession(session: Omit<AuthSession, "revoked">, now: Date): Promise<void>;
  /** The session if it has not expired at `now` (revoked ones included). */
  getAuthSession(id: string, now: Date): Promise<AuthSession | undefined>;
  /**
   * Atomically exchanges the refresh token `presentedTokenId` for `nextTokenId`. A presented id
   * that is not the current one means an old token was replayed: the session is revoked
   * (`reused`). Revoked sessions change nothing; expired ones answer `unknown`.
   */
  rotateAuthSession(
    id: string,
    presentedTokenId: string,
    nextTokenId: string,
    now: Date,
  ): Promise<AuthSessionRotation>;
  /** Marks the session revoked until it expires. Unknown or expired sessions are ignored. */
  revokeAuthSession(id: string, now: Date): Promise<void>;

  /** A cheap round trip, for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
