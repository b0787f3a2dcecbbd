import {
  MiniodbError,
  normalizeTableConfig,
  parseTableName,
  type DataFile,
  type MetadataStore,
  type ObjectStore,
  type TableConfig,
  type TableEntry,
} from "@miniodb/core";
import type { TableBufferStats } from "@miniodb/worker-node";
import type { DataPlane } from "./data-plane.js";
import { compileTableGlob } from "./table-glob.js";
import { noteRequest } from "../observability/request-context.js";

export interface TableStatsView {
  readonly recordCount: number;
  readonly fileCount: number;
  readonly sizeBytes: number;
  /** Epoch µs of the oldest and newest rows (flushed or not); undefined for an empty table. */
  readonly oldestRecordMicros: number | undefined;
  readonly newestRecordMicros: number | undefined;
}

export interface TableView {
  readonly entry: TableEntry;
  readonly lastWrite: Date | undefined;
  readonly status: "active";
  readonly stats: TableStatsView;
}

export interface TableServiceOptions {
  readonly metadata: MetadataStore;
  readonly objects: ObjectStore;
  readonly data: DataPlane;
  readonly defaults: TableConfig;
  readonly autoCreate: boolean;
  readonly defaultTable: string;
  readonly now?: () => Date;
}

/** How long a table entry looked up for writes is reused without asking the metadata store. */
const WRITE_LOOKUP_TTL_MS = 1_000;

/** Table management: create, list, get (with real stats), delete (honouring cascade). */
export class TableService {
  readonly #options: TableServiceOptions;
  /** Entries for the write path: a metadata round trip per write showed in profiles. */
  readonly #writeLookups = new Map<string, { entry: TableEntry; expiresAtMs: number }>();

  constructor(options: TableServiceOptions) {
    this.#options = options;
  }

  /** Returns false when the table existed and `ifNotExists` was set. */
  async create(name: string, config: Partial<TableConfig>, ifNotExists: boolean): Promise<boolean> {
    noteRequest({ table: name });
    const tableName = parseTableName(name);
    const entry = {
      name: tableName,
      config: normalizeTableConfig(config, this.#options.defaults),
      createdAt: this.#now(),
    };
    try {
      await this.#options.metadata.createTable(entry);
      return true;
    } catch (error) {
      if (ifNotExists && MiniodbError.is(error, "already_exists")) return false;
      throw error;
    }
  }

  async list(pattern: string): Promise<TableView[]> {
    const matches = compileTableGlob(pattern);
    const entries = (await this.#options.metadata.listTables()).filter((entry) => matches(entry.name));
    return Promise.all(entries.map((entry) => this.#view(entry)));
  }

  async get(name: string): Promise<TableView> {
    noteRequest({ table: name });
    return this.#view(await this.require(name));
  }

  /** The table named `name` (or the default table when empty), created on demand if allowed. */
  async resolveForWrite(name: string): Promise<TableEntry> {
    const cached = this.cachedForWrite(name);
    if (cached) return cached;
    const tableName = name === "" ? this.#options.defaultTable : name;
    parseTableName(tableName);
    let entry = await this.#options.metadata.getTable(tableName);
    if (!entry) {
      if (!this.#options.autoCreate) throw notFound(tableName);
      await this.create(tableName, {}, true);
      entry = await this.require(tableName);
    }
    this.#writeLookups.set(tableName, { entry, expiresAtMs: Date.now() + WRITE_LOOKUP_TTL_MS });
    return entry;
  }

  /** What resolveForWrite would answer from its cache, without waiting; undefined when not cached. */
  cachedForWrite(name: string): TableEntry | undefined {
    const cached = this.#writeLookups.get(name === "" ? this.#options.defaultTable : name);
    return cached && cached.expiresAtMs > Date.now() ? cached.entry : undefined;
  }

  async require(name: string): Promise<TableEntry> {
    const entry = await this.#options.metadata.getTable(parseTableName(name));
    if (!entry) throw notFound(name);
    return entry;
  }

  /**
   * Deletes a table. Without `cascade`, a table holding data is refused (failed_precondition).
   * Returns the number of data files deleted, or undefined when it did not exist and `ifExists`.
   */
  async delete(name: string, { ifExists = false, cascade = false } = {}): Promise<number | undefined> {
    noteRequest({ table: name });
    const entry = await this.#options.metadata.getTable(parseTableName(name));
    if (!entry) {
      if (ifExists) return undefined;
      throw notFound(name);
    }
    const manifest = await this.#options.metadata.getManifest(entry.name);
    const unflushed = (await this.#options.data.tableStats(entry.name)).unflushedRows;
    if (!cascade && (manifest.files.length > 0 || unflushed > 0)) {
      throw new MiniodbError(
        "failed_precondition",
        `table ${entry.name} holds ${manifest.files.length} files and ${unflushed} unflushed records: delete with cascade=true to remove them`,
      );
    }
    this.#writeLookups.delete(entry.name);
    await this.#options.data.dropTable(entry.name);
    const removed = await this.#options.metadata.deleteTable(entry.name);
    await Promise.all(removed.files.map((file) => this.#options.objects.delete(file.key)));
    return removed.files.length;
  }

  async #view(entry: TableEntry): Promise<TableView> {
    const manifest = await this.#options.metadata.getManifest(entry.name);
    const buffered = await this.#options.data.tableStats(entry.name);
    const stored = await this.#options.metadata.getLastWrite(entry.name);
    const lastWriteMs = Math.max(buffered.lastWriteMs ?? 0, stored?.getTime() ?? 0);
    return {
      entry,
      lastWrite: lastWriteMs > 0 ? new Date(lastWriteMs) : undefined,
      status: "active",
      stats: withUnflushed(fileStats(manifest.files), sumRows(manifest.files), buffered),
    };
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

function fileStats(files: readonly DataFile[]) {
  let sizeBytes = 0;
  let oldest: number | undefined;
  let newest: number | undefined;
  for (const file of files) {
    sizeBytes += file.sizeBytes;
    if (oldest === undefined || file.minTimestamp < oldest) oldest = file.minTimestamp;
    if (newest === undefined || file.maxTimestamp > newest) newest = file.maxTimestamp;
  }
  return { fileCount: files.length, sizeBytes, oldestRecordMicros: oldest, newestRecordMicros: newest };
}

/** File stats plus the rows not yet flushed: they count and they bound oldest/newest too. */
function withUnflushed(
  files: ReturnType<typeof fileStats>,
  fileRows: number,
  buffered: TableBufferStats,
): TableStatsView {
  const range = buffered.unflushedTimeRange;
  const pick = (a: number | undefined, b: number | undefined, choose: (x: number, y: number) => number) =>
    a === undefined ? b : b === undefined ? a : choose(a, b);
  return {
    ...files,
    recordCount: fileRows + buffered.unflushedRows,
    oldestRecordMicros: pick(files.oldestRecordMicros, range?.min, Math.min),
    newestRecordMicros: pick(files.newestRecordMicros, range?.max, Math.max),
  };
}

function sumRows(files: readonly DataFile[]): number {
  return files.reduce((sum, file) => sum + file.rowCount, 0);
}

/** The `message` of a CreateTable answer (RPC and REST). */
export function createTableMessage(name: string, created: boolean): string {
  return created ? `table ${name} created` : `table ${name} already exists`;
}

/** The `message` of a DeleteTable answer; `filesDeleted` undefined means it did not exist. */
export function deleteTableMessage(name: string, filesDeleted: number | undefined): string {
  return filesDeleted === undefined ? `table ${name} does not exist` : `table ${name} deleted`;
}

function notFound(name: string): MiniodbError {
  return new MiniodbError("not_found", `table ${name} does not exist`, { details: { table: name } });
}
