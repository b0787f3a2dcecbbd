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
import { fromRedisError } from "./redis/errors.js";
import { RedisAuthSessions } from "./redis/redis-auth-sessions.js";
import { RedisBackups } from "./redis/redis-backups.js";
import type { RedisClient } from "./redis/redis-client.js";
import { withReplicaAcks, type ReplicaAcks } from "./redis/with-replica-acks.js";
import { RedisIdempotency } from "./redis/redis-idempotency.js";
import { RedisLeases } from "./redis/redis-leases.js";
import { RedisManifestTable } from "./redis/redis-manifest-table.js";
import { RedisNodeRegistry } from "./redis/redis-node-registry.js";
import { RedisSchemaHistory } from "./redis/redis-schema-history.js";
import { RedisSequences } from "./redis/redis-sequences.js";
import { RedisTableCatalog } from "./redis/redis-table-catalog.js";
import { RedisTombstones } from "./redis/redis-tombstones.js";
import { RedisWalMarks } from "./redis/redis-wal-marks.js";

export interface RedisMetadataStoreOptions {
  /** A connected or connecting client (see `createRedisClient`); the store owns it from now on. */
  readonly client: RedisClient;
  /**
   * Upper bound of any one call; past it the call fails `unavailable` (its effect, if it still
   * reaches Redis, is unknown, as with any timeout). The client's own timeouts normally fire
   * first; this bound also covers commands a Cluster client queues while no node is reachable,
   * which it would otherwise hold until a node returns.
   */
  readonly operationTimeoutMs?: number;
  /**
   * Confirm every write with WAIT on this many replicas (standalone or Sentinel only), so an
   * acknowledged write survives a failover; see `withReplicaAcks`. Off by default.
   */
  readonly replicaAcks?: ReplicaAcks;
}

/**
 * The MetadataStore of a distributed deployment: Redis standalone, Sentinel or Cluster, with the
 * key layout of `@miniodb/core`'s `metadata-keys`. Every change is one Lua script over keys of one
 * hash tag, so it is atomic in every mode; compare-and-swap conflicts are `aborted`, an unreachable
 * server `unavailable` (see `redis/errors.ts`).
 *
 * Semantics equal `EmbeddedMetadataStore`'s: writes naming a table fail `not_found` when it does
 * not exist, reads of a missing table return the empty value, and times come from the caller.
 * Manifest reads are cached per store and checked with one HMGET (see `RedisManifestTable`).
 */
export class RedisMetadataStore implements MetadataStore {
  readonly #client: RedisClient;
  readonly #tables: RedisTableCatalog;
  readonly #schemas: RedisSchemaHistory;
  readonly #manifests: RedisManifestTable;
  readonly #tombstones: RedisTombstones;
  readonly #sequences: RedisSequences;
  readonly #nodes: RedisNodeRegistry;
  readonly #walMarks: RedisWalMarks;
  readonly #leases: RedisLeases;
  readonly #backups: RedisBackups;
  readonly #idempotency: RedisIdempotency;
  readonly #sessions: RedisAuthSessions;
  readonly #timeoutMs: number;
  #closed = false;

  private constructor(client: RedisClient, timeoutMs: number) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
    this.#tables = new RedisTableCatalog(client);
    this.#schemas = new RedisSchemaHistory(client);
    this.#manifests = new RedisManifestTable(client);
    this.#tombstones = new RedisTombstones(client);
    this.#sequences = new RedisSequences(client);
    this.#nodes = new RedisNodeRegistry(client);
    this.#walMarks = new RedisWalMarks(client);
    this.#leases = new RedisLeases(client);
    this.#backups = new RedisBackups(client);
    this.#idempotency = new RedisIdempotency(client);
    this.#sessions = new RedisAuthSessions(client);
  }

  /** Wraps `client` and checks it answers a ping (`unavailable` otherwise; the client is closed). */
  static async create({
    client,
    operationTimeoutMs = 10_000,
    replicaAcks,
  }: RedisMetadataStoreOptions): Promise<RedisMetadataStore> {
    let acked: RedisClient;
    try {
      acked = replicaAcks ? withReplicaAcks(client, replicaAcks) : client;
    } catch (error) {
      client.disconnect();
      throw error;
    }
    const store = new RedisMetadataStore(acked, operationTimeoutMs);
    try {
      await store.ping();
      return store;
    } catch (error) {
      client.disconnect();
      throw error;
    }
  }

  createTable(table: TableEntry): Promise<void> {
    return this.#call(`create table ${table.name}`, () => this.#tables.create(table));
  }

  getTable(name: string): Promise<TableEntry | undefined> {
    return this.#call(`get table ${name}`, () => this.#tables.get(name));
  }

  listTables(): Promise<TableEntry[]> {
    return this.#call("list tables", () => this.#tables.list());
  }

  deleteTable(name: string): Promise<Manifest> {
    return this.#call(`delete table ${name}`, async () => {
      const { version, files } = await this.#tables.delete(name);
      return this.#manifests.deleted(name, version, files);
    });
  }

  touchTable(name: string, lastWrite: Date): Promise<void> {
    return this.#call(`touch table ${name}`, () => this.#tables.touch(name, lastWrite));
  }

  getLastWrite(name: string): Promise<Date | undefined> {
    return this.#call(`get last write of ${name}`, () => this.#tables.lastWrite(name));
  }

  getSchema(table: string): Promise<SchemaEntry> {
    return this.#call(`get schema of ${table}`, () => this.#schemas.latest(table));
  }

  putSchema(table: string, schema: SchemaEntry): Promise<void> {
    return this.#call(`put schema of ${table}`, () => this.#schemas.put(table, schema));
  }

  listSchemas(table: string): Promise<SchemaEntry[]> {
    return this.#call(`list schemas of ${table}`, () => this.#schemas.list(table));
  }

  getManifest(table: string): Promise<Manifest> {
    return this.#call(`get manifest of ${table}`, () => this.#manifests.get(table));
  }

  commitManifest(table: string, change: ManifestChange): Promise<number> {
    return this.#call(`commit manifest of ${table}`, () => this.#manifests.commit(table, change));
  }

  addTombstones(table: string, tombstones: readonly Tombstone[]): Promise<void> {
    return this.#call(`add tombstones to ${table}`, () => this.#tombstones.add(table, tombstones));
  }

  listTombstones(table: string, ids?: readonly string[]): Promise<readonly Tombstone[]> {
    return this.#call(`list tombstones of ${table}`, () => this.#tombstones.list(table, ids));
  }

  restoreTombstones(table: string, soft: ReadonlyArray<{ id: string; sequence: bigint }>): Promise<void> {
    return this.#call(`restore tombstones of ${table}`, () => this.#tombstones.restore(table, soft));
  }

  retireTombstones(table: string, upTo: ReadonlyArray<{ id: string; sequence: bigint }>): Promise<void> {
    return this.#call(`retire tombstones of ${table}`, () => this.#tombstones.retire(table, upTo));
  }

  reserveSequence(name: string, count: number): Promise<bigint> {
    return this.#call(`reserve sequence ${name}`, () => this.#sequences.reserve(name, count));
  }

  putNode(node: NodeEntry): Promise<void> {
    return this.#call(`put node ${node.id}`, () => this.#nodes.put(node));
  }

  listNodes(now: Date): Promise<NodeEntry[]> {
    return this.#call("list nodes", () => this.#nodes.list(now));
  }

  removeNode(id: string): Promise<void> {
    return this.#call(`remove node ${id}`, () => this.#nodes.remove(id));
  }

  putWalMark(mark: WalMark): Promise<void> {
    return this.#call(`put WAL mark of ${mark.nodeId}`, () => this.#walMarks.put(mark));
  }

  listWalMarks(): Promise<WalMark[]> {
    return this.#call("list WAL marks", () => this.#walMarks.list());
  }

  removeWalMark(nodeId: string): Promise<void> {
    return this.#call(`remove WAL mark of ${nodeId}`, () => this.#walMarks.remove(nodeId));
  }

  acquireLease(name: string, holder: string, now: Date, ttlMs: number): Promise<Lease | undefined> {
    return this.#call(`acquire lease ${name}`, () => this.#leases.acquire(name, holder, now, ttlMs));
  }

  releaseLease(lease: Lease): Promise<void> {
    return this.#call(`release lease ${lease.name}`, () => this.#leases.release(lease));
  }

  putBackup(backup: BackupEntry): Promise<void> {
    return this.#call(`put backup ${backup.id}`, () => this.#backups.put(backup));
  }

  listBackups(since: Date): Promise<BackupEntry[]> {
    return this.#call("list backups", () => this.#backups.list(since));
  }

  getIdempotency(key: string, now: Date): Promise<IdempotencyEntry | undefined> {
    return this.#call("get idempotency entry", () => this.#idempotency.get(key, now));
  }

  putIdempotency(entry: IdempotencyEntry, now: Date): Promise<IdempotencyEntry> {
    return this.#call("put idempotency entry", () => this.#idempotency.put(entry, now));
  }

  createAuthSession(session: Omit<AuthSession, "revoked">, now: Date): Promise<void> {
    return this.#call("create auth session", () => this.#sessions.create(session, now));
  }

  getAuthSession(id: string, now: Date): Promise<AuthSession | undefined> {
    return this.#call("get auth session", () => this.#sessions.get(id, now));
  }

  rotateAuthSession(
    id: string,
    presentedTokenId: string,
    nextTokenId: string,
    now: Date,
  ): Promise<AuthSessionRotation> {
    return this.#call("rotate auth session", () =>
      this.#sessions.rotate(id, presentedTokenId, nextTokenId, now),
    );
  }

  revokeAuthSession(id: string, now: Date): Promise<void> {
    return this.#call("revoke auth session", () => this.#sessions.revoke(id, now));
  }

  ping(): Promise<void> {
    return this.#call("ping", async () => {
      await this.#client.ping();
    });
  }

  /** Closes the client (QUIT, or a hard disconnect when that fails). Idempotent; later calls fail `unavailable`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#client.quit();
    } catch {
      this.#client.disconnect();
    }
  }

  async #call<T>(action: string, work: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new MiniodbError("unavailable", `metadata store cannot ${action}: it is closed`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = `metadata store (Redis) cannot ${action}: no answer within ${this.#timeoutMs} ms`;
        reject(new MiniodbError("unavailable", reason));
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([work(), deadline]);
    } catch (error) {
      throw fromRedisError(error, action);
    } finally {
      clearTimeout(timer);
    }
  }
}
