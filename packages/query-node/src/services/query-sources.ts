import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { once } from "node:events";
import {
  retentionCutoff,
  type ColumnDef,
  type DataFile,
  type Manifest,
  type MetadataStore,
  type SchemaEntry,
  type TableEntry,
} from "@miniodb/core";
import {
  fileInRange,
  tombstoneLine,
  TombstoneIndex,
  type CacheLease,
  type LiveRowsLease,
  type LiveRowTables,
  type ObjectFileCache,
  type ParquetFileGroup,
  type ScanRange,
  type TableViewSource,
} from "@miniodb/executor";
import { noteRequest } from "../observability/request-context.js";

/**
 * A table's acknowledged rows that may not be in object storage yet, captured from every worker
 * holding some. Read it with a manifest read after the capture: rows a flush committed in between
 * come from the manifest's files and are left out here, so each row is seen exactly once.
 */
export interface BufferCapture {
  /**
   * The captured rows `manifest` does not hold, in chunks of whole NDJSON lines ending in "\n".
   * With `ids`, rows of other ids may be left out (the query can't see them).
   */
  rowsOutside(manifest: Manifest, ids?: readonly string[]): AsyncIterable<string>;
  /** The workers whose buffers were captured, when they are other processes (a cluster). */
  readonly workers?: readonly string[];
}

/** What a query needs of the worker(s) holding a table's unflushed rows. */
export interface BufferSource {
  captureBuffer(table: TableEntry): Promise<BufferCapture>;
}

export interface QuerySourcesOptions {
  readonly metadata: MetadataStore;
  readonly cache: ObjectFileCache;
  readonly buffers: BufferSource;
  readonly maxLineBytes: number;
  /** Tables of tombstoned files' live rows, read instead of joining those files with the tombstones. */
  readonly liveRows?: LiveRowTables | undefined;
  /** Epoch ms, for the retention window; `Date.now` by default. */
  readonly now?: () => number;
}

/** A table a query reads, and the part of it the query can touch (undefined: all of it). */
export interface TableRead {
  readonly entry: TableEntry;
  readonly range?: ScanRange | undefined;
}

/** The local files of one query's tables; `close` unpins them and deletes the query's own files. */
export interface QuerySources {
  readonly views: readonly TableViewSource[];
  close(): Promise<void>;
}

/**
 * Gathers, for each table a query reads, a consistent picture as local files: the Parquet files
 * of its manifest (through the file cache), its acknowledged rows that no file holds yet, and its
 * tombstones; files whose stats fall outside the query's range are skipped. See gatherTable for
 * the order of the reads.
 */
export async function gatherQuerySources(
  options: QuerySourcesOptions,
  tables: readonly TableRead[],
  directory: string,
): Promise<QuerySources> {
  const leases: Array<CacheLease | LiveRowsLease> = [];
  // Only buffered rows and tombstones are written there, and most queries have neither.
  let wroteFiles = true;
  const close = async () => {
    for (const lease of leases) lease.release();
    if (wroteFiles) await rm(directory, { recursive: true, force: true });
  };
  // Every table's gathering is allowed to finish before a failure is reported, so that nothing
  // pins cache files or writes into the directory after it was cleaned up.
  const gathered = await Promise.allSettled(
    tables.map((table, index) => gatherTable(options, table, directory, `t${index}`)),
  );
  for (const result of gathered) if (result.status === "fulfilled") leases.push(...result.value.leases);
  const failed = gathered.find((result) => result.status === "rejected");
  if (failed) {
    await close();
    throw failed.reason;
  }
  const views = gathered.map(
    (result) => (result as PromiseFulfilledResult<{ view: TableViewSource }>).value.view,
  );
  wroteFiles = views.some((view) => view.bufferPath !== undefined || view.tombstonesPath !== undefined);
  return { views, close };
}

/** A consistent picture of one table for one query (see readTableSnapshot). */
export interface TableSnapshot<C> {
  readonly table: TableEntry;
  /** What `capture` returned, taken after the tombstones and before the manifest. */
  readonly captured: C;
  readonly manifest: Manifest;
  readonly schema: SchemaEntry;
  /** The tombstones that may touch the query's range. */
  readonly tombstones: TombstoneIndex;
  /** All of the table's tombstones, when the read was not limited to the query's ids. */
  readonly tableTombstones: TombstoneIndex | undefined;
  /** `performance.now()` just before the tombstones were read. */
  readonly tombstonesReadAt: number;
  /** The manifest's files the query may touch (retention window and range). */
  readonly files: readonly DataFile[];
  /** Epoch µs: older rows are expired (the retention window), whatever is stored. */
  readonly minTimestamp: number | undefined;
}

/**
 * Reads a table's tombstones, captures its unflushed rows with `capture`, then reads its manifest
 * and schema, and prunes the files to the query's range. Order matters. Tombstones first: an
 * update that lands after them shows both its versions for this one query (never neither). The
 * buffer before the manifest: a flush committing in between is seen exactly once (see
 * rowsOutsideManifest).
 */
export async function readTableSnapshot<C>(
  metadata: MetadataStore,
  read: TableRead,
  capture: (table: TableEntry) => Promise<C>,
  nowMs: number,
): Promise<TableSnapshot<C>> {
  const table = read.entry;
  const tombstonesReadAt = performance.now();
  const allTombstones = await metadata.listTombstones(table.name, read.range?.ids);
  const captured = await capture(table);
  const [manifest, firstSchema] = await Promise.all([
    metadata.getManifest(table.name),
    metadata.getSchema(table.name),
  ]);
  // A flush may have stored a newer schema (and files written with it) after the schema was read.
  const newest = Math.max(0, ...manifest.files.map((file) => file.schemaVersion));
  const schema = newest > firstSchema.version ? await metadata.getSchema(table.name) : firstSchema;
  const range = read.range;
  const index = TombstoneIndex.of(allTombstones);
  const tombstones = index.within(range);
  // Expired rows are never seen, whether or not the retention job has removed them yet.
  const minTimestamp = retentionCutoff(table.config, nowMs);
  const files = manifest.files.filter(
    (file) =>
      (minTimestamp === undefined || file.maxTimestamp >= minTimestamp) &&
      (!range || fileInRange(file, range)),
  );
  const tableTombstones = range?.ids ? undefined : index;
  return {
    table,
    captured,
    manifest,
    schema,
    tombstones,
    tableTombstones,
    tombstonesReadAt,
    files,
    minTimestamp,
  };
}

async function gatherTable(options: QuerySourcesOptions, read: TableRead, directory: string, name: string) {
  const { metadata, cache, buffers } = options;
  const snapshot = await readTableSnapshot(
    metadata,
    read,
    (table) => buffers.captureBuffer(table),
    options.now?.() ?? Date.now(),
  );
  const { table, captured, manifest, schema, files, minTimestamp } = snapshot;
  const lease = await cache.acquire(files);
  const leases: Array<CacheLease | LiveRowsLease> = [lease];
  noteRequest({ filesScanned: files.length, objectsFetched: lease.fetched });
  try {
    const fileGroups = await groupFiles(metadata, snapshot, lease.paths, options.liveRows);
    for (const group of fileGroups) if (group.live) leases.push(group.live);
    const bufferPath = await writeChunks(
      directory,
      `${name}.rows.ndjson`,
      captured.rowsOutside(manifest, read.range?.ids),
    );
    // Only buffered rows and files read without a live-row table need the tombstones.
    const joined = bufferPath !== undefined || fileGroups.some((group) => group.tombstoned && !group.live);
    const tombstonesPath = joined
      ? await writeChunks(directory, `${name}.tombstones.ndjson`, tombstoneChunks(snapshot.tombstones))
      : undefined;
    const view: TableViewSource = {
      name: table.name,
      columns: schema.columns,
      fileGroups,
      bufferPath,
      tombstonesPath,
      maxLineBytes: options.maxLineBytes,
      minTimestamp,
    };
    return { view, leases };
  } catch (error) {
    for (const held of leases) held.release();
    throw error;
  }
}

/**
 * Files by the schema version they were written with (each group with that version's columns)
 * and by whether a tombstone may touch them; a group of touched files is read from its live-row
 * table when one holds exactly what the tombstone join would give.
 */
async function groupFiles(
  metadata: MetadataStore,
  snapshot: TableSnapshot<unknown>,
  paths: ReadonlyMap<string, string>,
  liveRows: LiveRowTables | undefined,
): Promise<Array<ParquetFileGroup & { live?: LiveRowsLease | undefined }>> {
  const { table, files, schema, tombstones } = snapshot;
  const groups = new Map<string, { version: number; tombstoned: boolean; files: DataFile[] }>();
  for (const file of files) {
    const tombstoned = tombstones.size > 0 && tombstones.touches(file);
    const key = `${file.schemaVersion}/${tombstoned}`;
    const group = groups.get(key) ?? { version: file.schemaVersion, tombstoned, files: [] };
    group.files.push(file);
    groups.set(key, group);
  }
  const columnsOf = await columnsByVersion(metadata, table.name, files, schema);
  let manifestKeys: Set<string> | undefined;
  return [...groups.values()].map((group) => {
    const live =
      group.tombstoned && snapshot.tableTombstones && liveRows
        ? liveRows.use({
            table: table.name,
            schemaVersion: group.version,
            files: group.files,
            manifestKeys: (manifestKeys ??= new Set(snapshot.manifest.files.map((file) => file.key))),
            hidden: snapshot.tableTombstones.hidden(),
            tombstonesReadAt: snapshot.tombstonesReadAt,
          })
        : undefined;
    return {
      paths: group.files.map((file) => paths.get(file.key)!),
      columns: columnsOf.get(group.version) ?? [],
      tombstoned: group.tombstoned,
      relation: live?.relation,
      live,
    };
  });
}

/** The payload columns of every schema version `files` were written with. */
export async function columnsByVersion(
  metadata: MetadataStore,
  table: string,
  files: readonly DataFile[],
  current: SchemaEntry,
): Promise<Map<number, readonly ColumnDef[]>> {
  const older = files.some((file) => file.schemaVersion !== current.version);
  const history = older ? await metadata.listSchemas(table) : [current];
  return new Map(history.map((schema) => [schema.version, schema.columns]));
}

/** The NDJSON text of each index's tombstones, kept while the index is (one per tombstone list). */
const TOMBSTONE_TEXT = new WeakMap<TombstoneIndex, readonly string[]>();

/** The index's tombstones as NDJSON chunks, written out once per index. */
async function* tombstoneChunks(index: TombstoneIndex): AsyncIterable<string> {
  let chunks = TOMBSTONE_TEXT.get(index);
  if (!chunks) {
    const text: string[] = [];
    for await (const chunk of lineChunks(
      index.entries().map((tombstone) => tombstoneLine(tombstone.id, tombstone.sequence)),
    ))
      text.push(chunk);
    TOMBSTONE_TEXT.set(index, (chunks = text));
  }
  yield* chunks;
}

/** Lines in chunks of up to 10,000, each line ending in a newline. */
export async function* lineChunks(lines: Iterable<string>): AsyncIterable<string> {
  let chunk: string[] = [];
  for (const line of lines) {
    chunk.push(line);
    if (chunk.length >= 10_000) {
      yield `${chunk.join("\n")}\n`;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield `${chunk.join("\n")}\n`;
}

/** Writes the chunks to `directory/name`; undefined (and no file, no directory) when there are none. */
async function writeChunks(
  directory: string,
  name: string,
  chunks: AsyncIterable<string>,
): Promise<string | undefined> {
  let stream: ReturnType<typeof createWriteStream> | undefined;
  const path = join(directory, name);
  try {
    for await (const chunk of chunks) {
      if (chunk.length === 0) continue;
      if (!stream) {
        await mkdir(directory, { recursive: true });
        stream = createWriteStream(path);
      }
      if (!stream.write(chunk)) await once(stream, "drain");
    }
  } finally {
    if (stream) {
      stream.end();
      await once(stream, "close");
    }
  }
  return stream ? path : undefined;
}
