import type {
  AuthSession,
  AuthSessionRotation,
  BackupEntry,
  IdempotencyEntry,
  Lease,
  Manifest,
  ManifestChange,
  MetadataStore,
  NodeEntry,
  SchemaEntry,
  TableEntry,
  Tombstone,
  WalMark,
} from "@miniodb/core";
import { MiniodbError } from "@miniodb/core";
import { AuthSessionTable } from "./embedded/auth-session-table.js";
import { BackupTable } from "./embedded/backup-table.js";
import { EMBEDDED_MIGRATIONS } from "./embedded/embedded-migrations.js";
import { IdempotencyTable } from "./embedded/idempotency-table.js";
import { LeaseTable } from "./embedded/lease-table.js";
import { ManifestTable } from "./embedded/manifest-table.js";
import { NodeRegistry } from "./embedded/node-registry.js";
import { SchemaHistory } from "./embedded/schema-history.js";
import { SequenceTable } from "./embedded/sequence-table.js";
import { TableCatalog } from "./embedded/table-catalog.js";
import { TombstoneTable } from "./embedded/tombstone-table.js";
import { WalMarkTable } from "./embedded/wal-mark-table.js";
import { fromSqliteError } from "./errors.js";
import { openSqliteDatabase, type SqliteDatabase } from "./sqlite-database.js";

export interface EmbeddedMetadataStoreOptions {
  /** The SQLite file; created with its schema when missing. Its directory must exist. */
  readonly path: string;
  /** How long a call waits for another connection's write lock before failing `unavailable`. */
  readonly busyTimeoutMs?: number;
}

/**
 * The MetadataStore of a single-process deployment: one SQLite file (WAL, `synchronous = FULL`),
 * so a resolved write survives `kill -9` and power loss. Schema: `embedded/embedded-migrations.ts`.
 *
 * Every method runs in one SQLite transaction. Writes that need a table (`touchTable`,
 * `putSchema`, `commitManifest`, `addTombstones`, `restoreTombstones`, `retireTombstones`) fail `not_found` when it does
 * not exist, so a late write cannot resurrect a deleted table; reads of a missing table return the
 * empty value (`getManifest` version 0, `getSchema` version 0, no tombstones). Manifest CAS
 * semantics are described on `ManifestTable`.
 */
export class EmbeddedMetadataStore implements MetadataStore {
  readonly #db: SqliteDatabase;
  readonly #tables: TableCatalog;
  readonly #schemas: SchemaHistory;
  readonly #manifests: ManifestTable;
  readonly #tombstones: TombstoneTable;
  readonly #sequences: SequenceTable;
  readonly #nodes: NodeRegistry;
  readonly #walMarks: WalMarkTable;
  readonly #leases: LeaseTable;
  readonly #backups: BackupTable;
  readonly #idempotency: IdempotencyTable;
  readonly #sessions: AuthSessionTable;

  private constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#tables = new TableCatalog(db);
    this.#schemas = new SchemaHistory(db);
    this.#manifests = new ManifestTable(db, this.#tables);
    this.#tombstones = new TombstoneTable(db);
    this.#sequences = new SequenceTable(db);
    this.#nodes = new NodeRegistry(db);
    this.#walMarks = new WalMarkTable(db);
    this.#leases = new LeaseTable(db);
    this.#backups = new BackupTable(db);
    this.#idempotency = new IdempotencyTable(db);
    this.#sessions = new AuthSessionTable(db);
  }

  static async create({
    path,
    busyTimeoutMs = 5000,
  }: EmbeddedMetadataStoreOptions): Promise<EmbeddedMetadataStore> {
    let db: SqliteDatabase | undefined;
    try {
      db = openSqliteDatabase(path, EMBEDDED_MIGRATIONS);
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
      return new EmbeddedMetadataStore(db);
    } catch (error) {
      db?.close();
      throw fromSqliteError(error, `open ${path}`);
    }
  }

  async createTable(table: TableEntry): Promise<void> {
    this.#write(`create table ${table.name}`, () => this.#tables.create(table));
  }

  async getTable(name: string): Promise<TableEntry | undefined> {
    return this.#call(`get table ${name}`, () => this.#tables.get(name));
  }

  async listTables(): Promise<TableEntry[]> {
    return this.#call("list tables", () => this.#tables.list());
  }

  async deleteTable(name: string): Promise<Manifest> {
    const manifest = this.#write(`delete table ${name}`, () => {
      const last = this.#manifests.get(name);
      this.#tables.delete(name);
      return last;
    });
    this.#manifests.forget(name);
    this.#tombstones.forget(name);
    return manifest;
  }

  async touchTable(name: string, lastWrite: Date): Promise<void> {
    this.#write(`touch table ${name}`, () => this.#tables.touch(name, lastWrite));
  }

  async getLastWrite(name: string): Promise<Date | undefined> {
    return this.#call(`get last write of ${name}`, () => this.#tables.lastWrite(name));
  }

  async getSchema(table: string): Promise<SchemaEntry> {
    return this.#call(`get schema of ${table}`, () => this.#schemas.latest(table));
  }

  async putSchema(table: string, schema: SchemaEntry): Promise<void> {
    this.#write(`put schema of ${table}`, () => {
      this.#tables.require(table);
      this.#schemas.put(table, schema);
    });
  }

  async listSchemas(table: string): Promise<SchemaEntry[]> {
    return this.#call(`list schemas of ${table}`, () => this.#schemas.list(table));
  }

  async getManifest(table: string): Promise<Manifest> {
    return this.#call(`get manifest of ${table}`, () => this.#manifests.get(table));
  }

  async commitManifest(table: string, change: ManifestChange): Promise<number> {
    // ManifestTable runs its own transaction and updates its cache only after it committed.
    return this.#call(`commit manifest of ${table}`, () => this.#manifests.commit(table, change));
  }

  async addTombstones(table: string, tombstones: readonly Tombstone[]): Promise<void> {
    this.#tombstones.forget(table);
    this.#write(`add tombstones to ${table}`, () => {
      this.#tables.require(table);
      this.#tombstones.add(table, tombstones);
    });
  }

  async listTombstones(table: string, ids?: readonly string[]): Promise<readonly Tombstone[]> {
    return this.#call(`list tombstones of ${table}`, () => this.#tombstones.list(table, ids));
  }

  async restoreTombstones(
    table: string,
    soft: ReadonlyArray<{ id: string; sequence: bigint }>,
  ): Promise<void> {
    this.#tombstones.forget(table);
    this.#write(`restore tombstones of ${table}`, () => {
      this.#tables.require(table);
      this.#tombstones.restore(table, soft);
    });
  }

  async retireTombstones(
    table: string,
    upTo: ReadonlyArray<{ id: string; sequence: bigint }>,
  ): Promise<void> {
    this.#tombstones.forget(table);
    this.#write(`retire tombstones of ${table}`, () => {
      this.#tables.require(table);
      this.#tombstones.retire(table, upTo);
    });
  }

  async reserveSequence(name: string, count: number): Promise<bigint> {
    return this.#write(`reserve sequence ${name}`, () => this.#sequences.reserve(name, count));
  }

  async putNode(node: NodeEntry): Promise<void> {
    this.#write(`put node ${node.id}`, () => this.#nodes.put(node));
  }

  async listNodes(now: Date): Promise<NodeEntry[]> {
    return this.#write("list nodes", () => this.#nodes.list(now));
  }

  async removeNode(id: string): Promise<void> {
    this.#write(`remove node ${id}`, () => this.#nodes.remove(id));
  }

  async putWalMark(mark: WalMark): Promise<void> {
    this.#write(`put WAL mark of ${mark.nodeId}`, () => this.#walMarks.put(mark));
  }

  async listWalMarks(): Promise<WalMark[]> {
    return this.#call("list WAL marks", () => this.#walMarks.list());
  }

  async removeWalMark(nodeId: string): Promise<void> {
    this.#write(`remove WAL mark of ${nodeId}`, () => this.#walMarks.remove(nodeId));
  }

  async acquireLease(name: string, holder: string, now: Date, ttlMs: number): Promise<Lease | undefined> {
    return this.#write(`acquire lease ${name}`, () => this.#leases.acquire(name, holder, now, ttlMs));
  }

  async releaseLease(lease: Lease): Promise<void> {
    this.#write(`release lease ${lease.name}`, () => this.#leases.release(lease));
  }

  async putBackup(backup: BackupEntry): Promise<void> {
    this.#write(`put backup ${backup.id}`, () => this.#backups.put(backup));
  }

  async listBackups(since: Date): Promise<BackupEntry[]> {
    return this.#call("list backups", () => this.#backups.list(since));
  }

  async getIdempotency(key: string, now: Date): Promise<IdempotencyEntry | undefined> {
    return this.#call("get idempotency entry", () => this.#idempotency.get(key, now));
  }

  async putIdempotency(entry: IdempotencyEntry, now: Date): Promise<IdempotencyEntry> {
    return this.#write("put idempotency entry", () => this.#idempotency.put(entry, now));
  }

  async createAuthSession(session: Omit<AuthSession, "revoked">, now: Date): Promise<void> {
    this.#write("create auth session", () => this.#sessions.create(session, now));
  }

  async getAuthSession(id: string, now: Date): Promise<AuthSession | undefined> {
    return this.#call("get auth session", () => this.#sessions.get(id, now));
  }

  async rotateAuthSession(
    id: string,
    presentedTokenId: string,
    nextTokenId: string,
    now: Date,
  ): Promise<AuthSessionRotation> {
    return this.#write("rotate auth session", () =>
      this.#sessions.rotate(id, presentedTokenId, nextTokenId, now),
    );
  }

  async revokeAuthSession(id: string, now: Date): Promise<void> {
    this.#write("revoke auth session", () => this.#sessions.revoke(id, now));
  }

  async ping(): Promise<void> {
    this.#call("ping", () => this.#db.prepare("SELECT 1").get());
  }

  /** Closes the file. Idempotent; later calls fail `unavailable`. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  /** Runs `work` in a write transaction (BEGIN IMMEDIATE), translating errors. */
  #write<T>(action: string, work: () => T): T {
    return this.#call(action, () => this.#db.transaction(work).immediate());
  }

  /** Runs `work` as is (one statement, or a method with its own transaction), translating errors. */
  #call<T>(action: string, work: () => T): T {
    if (!this.#db.open) {
      throw new MiniodbError("unavailable", `metadata store cannot ${action}: it is closed`);
    }
    try {
      return work();
    } catch (error) {
      throw fromSqliteError(error, action);
    }
  }
}
