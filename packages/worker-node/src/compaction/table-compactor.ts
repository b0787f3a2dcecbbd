import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  dataFileKey,
  MiniodbError,
  type DataFile,
  type LeaseFence,
  type MetadataStore,
  type ObjectStore,
  type SchemaEntry,
  type TableEntry,
  type Tombstone,
  type WalMark,
} from "@miniodb/core";
import { tombstoneLine, TombstoneIndex, type ParquetFileWriter } from "@miniodb/executor";
import { planCompaction, type CompactionBin, type CompactionPolicy } from "./compaction-plan.js";
import { retirableTombstones } from "./tombstone-retirement.js";
import { unflushedRowRefs, type CapturedBuffer, type UnflushedRowSource } from "./unflushed-rows.js";

export interface TableCompactorOptions {
  readonly metadata: MetadataStore;
  readonly objects: ObjectStore;
  readonly writer: Pick<ParquetFileWriter, "rewrite">;
  /** The Parquet writer's work directory (inputs and outputs must live inside it). */
  readonly scratchDirectory: string;
  /** The worker(s) holding the table's unflushed rows. */
  readonly buffers: UnflushedRowSource;
  readonly policy: CompactionPolicy;
  /** Commits retried after a concurrent manifest change before a bin is given up. Default 20. */
  readonly maxCommitAttempts?: number;
}

/** What one compaction of a table did. */
export interface CompactionOutcome {
  readonly table: string;
  readonly bins: number;
  readonly filesBefore: number;
  readonly filesAfter: number;
  readonly filesRewritten: number;
  readonly filesWritten: number;
  readonly rowsBefore: number;
  readonly rowsAfter: number;
  readonly tombstonesRetired: number;
  /** Objects no manifest lists any more; delete them once running queries are done with them. */
  readonly replacedKeys: readonly string[];
  /** Bins given up because their files changed meanwhile (retried by the next run). */
  readonly binsSkipped: number;
}

export interface CompactionProgress {
  readonly binsDone: number;
  readonly binsTotal: number;
}

export interface CompactOptions {
  /** Rows older than this (epoch µs) are dropped: the table's retention window. */
  readonly minTimestamp?: number | undefined;
  readonly onProgress?: (progress: CompactionProgress) => void;
  /**
   * The lease the compaction runs under: every commit carries it, and a lease granted to another
   * node meanwhile stops the compaction (aborted, reason lease_lost) with nothing of this bin kept.
   */
  readonly fence?: LeaseFence | undefined;
}

/**
 * Compacts one table: per (day partition, node) merges small files into files near the target
 * size and rewrites files a hard tombstone touches without the rows it hides (soft-deleted rows
 * stay, restorable), each output sorted by id. Each bin is committed to the manifest with a
 * compare-and-swap on its version: a flush committing meanwhile makes the commit retry after
 * checking the bin's inputs are all still listed, so nothing committed concurrently is lost and no
 * row is counted twice. Afterwards the hard tombstones that can no longer hide a row are retired.
 * Replaced objects are returned, not deleted: queries that started earlier may still read them.
 */
export class TableCompactor {
  readonly #options: TableCompactorOptions;

  constructor(options: TableCompactorOptions) {
    this.#options = options;
  }

  async compact(table: TableEntry, options: CompactOptions = {}): Promise<CompactionOutcome> {
    const { metadata } = this.#options;
    const tombstones = await metadata.listTombstones(table.name);
    const hard = tombstones.filter((tombstone) => !tombstone.soft);
    const before = await metadata.getManifest(table.name);
    const bins = planCompaction(before.files, new TombstoneIndex(hard), this.#options.policy);
    const schemas = await metadata.listSchemas(table.name);
    const run = `${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
    const directory = join(this.#options.scratchDirectory, `compact-${table.name}-${run}`);
    const replacedKeys: string[] = [];
    const written = new Set<string>();
    let binsSkipped = 0;
    let binsDone = 0;
    await mkdir(directory, { recursive: true });
    try {
      const tombstonesPath = await writeTombstones(directory, hard);
      for (const bin of bins) {
        const output = await this.#rewriteBin(table, bin, {
          schemas,
          directory,
          run,
          tombstonesPath,
          options,
        });
        if (output === "skipped") binsSkipped++;
        else {
          replacedKeys.push(...bin.files.map((file) => file.key));
          if (output) written.add(output.key);
        }
        options.onProgress?.({ binsDone: ++binsDone, binsTotal: bins.length });
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    const rewritten = new Set([...written, ...replacedKeys]);
    const tombstonesRetired = await this.#retireTombstones(table, hard, rewritten);
    const after = await metadata.getManifest(table.name);
    return {
      table: table.name,
      bins: bins.length,
      filesBefore: before.files.length,
      filesAfter: after.files.length,
      filesRewritten: replacedKeys.length,
      filesWritten: written.size,
      rowsBefore: sumRows(before.files),
      rowsAfter: sumRows(after.files),
      tombstonesRetired,
      replacedKeys,
      binsSkipped,
    };
  }

  /** Rewrites and commits one bin: its new file, undefined when no row was left, or "skipped". */
  async #rewriteBin(
    table: TableEntry,
    bin: CompactionBin,
    context: {
      schemas: readonly SchemaEntry[];
      directory: string;
      run: string;
      tombstonesPath: string | undefined;
      options: CompactOptions;
    },
  ): Promise<DataFile | undefined | "skipped"> {
    const { objects, writer } = this.#options;
    const { schemas, directory, run, tombstonesPath, options } = context;
    const current = schemas.at(-1) ?? { version: 0, columns: [] };
    const columnsOf = new Map(schemas.map((schema) => [schema.version, schema.columns]));
    const unknown = bin.files.find((file) => file.schemaVersion > 0 && !columnsOf.has(file.schemaVersion));
    if (unknown)
      throw new MiniodbError(
        "internal",
        `${unknown.key} was written with schema version ${unknown.schemaVersion}, which table ${table.name} lacks`,
      );
    const byVersion = new Map<number, string[]>();
    for (const [index, file] of bin.files.entries()) {
      const path = join(directory, `in-${index}.parquet`);
      await writeFile(path, await objects.get(file.key));
      byVersion.set(file.schemaVersion, [...(byVersion.get(file.schemaVersion) ?? []), path]);
    }
    const outputPath = join(directory, `out-${bin.partition}-${bin.nodeId}.parquet`);
    const stats = await writer.rewrite({
      source: {
        columns: current.columns,
        fileGroups: [...byVersion].map(([version, paths]) => ({
          paths,
          columns: columnsOf.get(version) ?? [],
          tombstoned: tombstonesPath !== undefined,
        })),
        tombstonesPath,
        maxLineBytes: 1 << 20,
        minTimestamp: options.minTimestamp,
      },
      outputPath,
    });
    await Promise.all(
      bin.files.map((_, index) => rm(join(directory, `in-${index}.parquet`), { force: true })),
    );
    let file: DataFile | undefined;
    if (stats) {
      const key = dataFileKey({
        table: table.name,
        partition: bin.partition,
        nodeId: bin.nodeId,
        sequence: stats.minSequence,
        compaction: run,
      });
      const stored = await objects.put(key, await readFile(outputPath));
      await rm(outputPath, { force: true });
      const maxSequence = bin.files.reduce((max, f) => (f.maxSequence > max ? f.maxSequence : max), 0n);
      file = {
        key,
        partition: bin.partition,
        etag: stored.etag,
        sizeBytes: stored.size,
        rowCount: stats.rowCount,
        minTimestamp: stats.minTimestamp,
        maxTimestamp: stats.maxTimestamp,
        minId: stats.minId,
        maxId: stats.maxId,
        schemaVersion: current.version,
        minSequence: stats.minSequence,
        // The inputs' highest: WAL replay skips this node's rows up to it, and they are all here
        // or purged.
        maxSequence: maxSequence > stats.maxSequence ? maxSequence : stats.maxSequence,
        nodeId: bin.nodeId,
        createdAt: new Date(),
      };
    }
    const committed = await this.#commit(table.name, bin, file, context.options.fence).catch(
      async (error: unknown) => {
        if (file) await objects.delete(file.key).catch(() => undefined);
        throw error;
      },
    );
    if (!committed) {
      if (file) await objects.delete(file.key).catch(() => undefined);
      return "skipped";
    }
    return file;
  }

  /** Swaps the bin's files for `file`; false when an input left the manifest meanwhile. */
  async #commit(
    table: string,
    bin: CompactionBin,
    file: DataFile | undefined,
    fence: LeaseFence | undefined,
  ): Promise<boolean> {
    const { metadata } = this.#options;
    const attempts = this.#options.maxCommitAttempts ?? 20;
    const remove = bin.files.map((input) => input.key);
    for (let attempt = 0; attempt < attempts; attempt++) {
      const manifest = await metadata.getManifest(table);
      const live = new Set(manifest.files.map((listed) => listed.key));
      if (!remove.every((key) => live.has(key))) return false;
      try {
        await metadata.commitManifest(table, {
          add: file ? [file] : [],
          remove,
          expectedVersion: manifest.version,
          ...(fence ? { fence } : {}),
        });
        return true;
      } catch (error) {
        if (!MiniodbError.is(error, "aborted") || error.details["reason"] === "lease_lost") throw error;
      }
    }
    return false;
  }

  async #retireTombstones(table: TableEntry, hard: readonly Tombstone[], rewritten: ReadonlySet<string>) {
    if (hard.length === 0) return 0;
    const { metadata, buffers } = this.#options;
    // The WAL marks, then the buffers, then the manifest: a worker that was not captured either
    // committed its rows to this manifest or still had a mark below them when the marks were read.
    const marks = await metadata.listWalMarks();
    const captured = await buffers.captureBuffer(table);
    const manifest = await metadata.getManifest(table.name);
    const ids = new Set(hard.map((tombstone) => tombstone.id));
    const unflushed = await unflushedRowRefs(captured, manifest, ids);
    const retire = retirableTombstones(
      hard,
      manifest.files,
      rewritten,
      unflushed,
      walFloorOf(marks, captured),
    );
    if (retire.length > 0) await metadata.retireTombstones(table.name, retire);
    return retire.length;
  }
}

async function writeTombstones(directory: string, hard: readonly Tombstone[]): Promise<string | undefined> {
  if (hard.length === 0) return undefined;
  const path = join(directory, "tombstones.ndjson");
  await writeFile(
    path,
    `${hard.map((tombstone) => tombstoneLine(tombstone.id, tombstone.sequence)).join("\n")}\n`,
  );
  return path;
}

/** The lowest WAL mark of the workers whose buffers the capture does not hold. */
function walFloorOf(marks: readonly WalMark[], captured: CapturedBuffer): bigint | undefined {
  const asked = new Set(captured.workers ?? []);
  let floor: bigint | undefined;
  for (const mark of marks)
    if (!asked.has(mark.nodeId) && (floor === undefined || mark.sequence < floor)) floor = mark.sequence;
  return floor;
}

function sumRows(files: readonly DataFile[]): number {
  return files.reduce((sum, file) => sum + file.rowCount, 0);
}
