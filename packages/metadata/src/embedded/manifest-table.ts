import {
  MiniodbError,
  type DataFile,
  type LeaseFence,
  type Manifest,
  type ManifestChange,
} from "@miniodb/core";
import { isUniqueViolation } from "../errors.js";
import type { SqliteDatabase } from "../sqlite-database.js";
import { DATA_FILE_COLUMNS, DATA_FILE_JSON, dataFileRow } from "./data-file-row.js";
import type { TableCatalog } from "./table-catalog.js";

/**
 * The `manifests` and `manifest_files` tables: one row per live file, so a commit touches only the
 * rows it adds or removes, never the whole manifest.
 *
 * Reads are served from an in-memory copy per table, loaded on first use and updated after each
 * successful commit of this store, so a 100k-file manifest is not re-read for every query.
 * `PRAGMA data_version` tells when another connection changed the file; the copies are then
 * dropped. Returned manifests are shared and frozen (their `createdAt` Dates must not be mutated);
 * files come in no particular order. The copies live as long as the store.
 *
 * Fencing: with `fence`, the change applies only if the lease still has that token, read in the
 * commit's transaction.
 *
 * CAS semantics: with `expectedVersion`, the change applies only at that version and every key to
 * remove must be in the manifest (else `aborted`: the caller's view is stale). Without it, removing
 * a key that is not there is ignored, so a retried cleanup is harmless. Adding a key that is
 * already in any manifest is `already_exists` (object keys are unique in the store).
 */
export class ManifestTable {
  readonly #catalog: TableCatalog;
  readonly #cache = new Map<string, Manifest>();
  #dataVersion: number;
  readonly #statements;
  readonly #commit;
  readonly #load;

  constructor(db: SqliteDatabase, catalog: TableCatalog) {
    this.#catalog = catalog;
    this.#statements = {
      version: db.prepare<[string], number>("SELECT version FROM manifests WHERE table_name = ?").pluck(),
      files: db
        .prepare<[string], string>(
          `SELECT json_group_array(${DATA_FILE_JSON}) FROM (SELECT ${DATA_FILE_COLUMNS} FROM manifest_files WHERE table_name = ? ORDER BY key)`,
        )
        .pluck(),
      insert: db.prepare(
        `INSERT INTO manifest_files (table_name, ${DATA_FILE_COLUMNS}) VALUES (${"?, ".repeat(14)}?)`,
      ),
      remove: db.prepare<[string, string]>("DELETE FROM manifest_files WHERE table_name = ? AND key = ?"),
      bump: db
        .prepare<[string], number>(
          "INSERT INTO manifests (table_name, version) VALUES (?, 1) " +
            "ON CONFLICT (table_name) DO UPDATE SET version = version + 1 RETURNING version",
        )
        .pluck(),
      dataVersion: db.prepare<[], number>("PRAGMA data_version").pluck(),
      leaseToken: db.prepare<[string], number>("SELECT token FROM leases WHERE name = ?").pluck(),
    };
    this.#dataVersion = this.#statements.dataVersion.get()!;
    this.#commit = db.transaction((table: string, change: ManifestChange) => this.#apply(table, change));
    // One read transaction, so version and files come from the same snapshot.
    this.#load = db.transaction((table: string): Manifest => {
      const version = this.#statements.version.get(table) ?? 0;
      const files = Object.freeze(dataFileRow.parseAll(this.#statements.files.get(table) ?? "[]"));
      return Object.freeze({ table, version, files });
    });
  }

  /** The manifest of `table`; version 0 with no files when nothing was committed (or no table). */
  get(table: string): Manifest {
    this.#dropIfChangedElsewhere();
    const cached = this.#cache.get(table);
    if (cached) return cached;
    const manifest = this.#load(table);
    // Empty manifests are cheap to read again; not caching them keeps unknown names out.
    if (manifest.version > 0) this.#cache.set(table, manifest);
    return manifest;
  }

  /** Applies `change` atomically (see the class comment) and returns the new version. */
  commit(table: string, change: ManifestChange): number {
    const version = this.#commit.immediate(table, change);
    this.#updateCache(table, version, change);
    return version;
  }

  /** Drops the in-memory copy of a table whose rows were removed (by cascade). */
  forget(table: string): void {
    this.#cache.delete(table);
  }

  #apply(table: string, change: ManifestChange): number {
    this.#catalog.require(table);
    const { expectedVersion, fence } = change;
    // The lease is read in the commit's transaction: no grant can slip in between.
    if (fence && this.#statements.leaseToken.get(fence.name) !== fence.token) throw leaseLost(table, fence);
    const current = this.#statements.version.get(table) ?? 0;
    if (expectedVersion !== undefined && expectedVersion !== current) {
      throw aborted(table, `manifest is at version ${current}, not ${expectedVersion}`);
    }
    for (const key of change.remove ?? []) {
      const removed = this.#statements.remove.run(table, key).changes > 0;
      if (!removed && expectedVersion !== undefined) {
        throw aborted(table, `file ${key} is not in the manifest`);
      }
    }
    for (const file of change.add ?? []) this.#insert(table, file);
    return this.#statements.bump.get(table)!;
  }

  #insert(table: string, file: DataFile): void {
    try {
      this.#statements.insert.run(table, ...dataFileRow.bind(file));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new MiniodbError("already_exists", `file ${file.key} is already in a manifest`, {
        cause: error,
        details: { table, key: file.key },
      });
    }
  }

  #updateCache(table: string, version: number, change: ManifestChange): void {
    const cached = this.#cache.get(table);
    if (!cached) return;
    if (cached.version !== version - 1) {
      this.#cache.delete(table);
      return;
    }
    const removed = new Set(change.remove ?? []);
    const kept = removed.size === 0 ? cached.files : cached.files.filter((file) => !removed.has(file.key));
    const files = Object.freeze([...kept, ...(change.add ?? []).map(dataFileRow.freeze)]);
    this.#cache.set(table, Object.freeze({ table, version, files }));
  }

  #dropIfChangedElsewhere(): void {
    const dataVersion = this.#statements.dataVersion.get()!;
    if (dataVersion === this.#dataVersion) return;
    this.#dataVersion = dataVersion;
    this.#cache.clear();
  }
}

function aborted(table: string, reason: string): MiniodbError {
  return new MiniodbError("aborted", `cannot commit manifest of ${table}: ${reason}`, { details: { table } });
}

function leaseLost(table: string, fence: LeaseFence): MiniodbError {
  return new MiniodbError(
    "aborted",
    `cannot commit manifest of ${table}: lease ${fence.name} was granted again after token ${fence.token}`,
    { details: { table, reason: "lease_lost" } },
  );
}
