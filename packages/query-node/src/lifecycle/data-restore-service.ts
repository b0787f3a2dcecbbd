import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import {
  MiniodbError,
  parseTableName,
  type DataFile,
  type MetadataStore,
  type ObjectStore,
  type TableEntry,
} from "@miniodb/core";
import {
  fileInRange,
  quoteSqlIdentifier,
  quoteSqlLiteral,
  readParquetBatches,
  tombstoneLine,
  type ParquetFileWriter,
} from "@miniodb/executor";
import type { RecordInput } from "@miniodb/worker-node";
import type { DataPlane } from "../services/data-plane.js";
import type { QueryService } from "../services/query-service.js";
import type { TableService } from "../services/table-service.js";
import { rowToRecord } from "./backup-rows.js";
import type { ProgressReporter } from "./job-tracker.js";
import type { MetadataBackupService } from "./metadata-backup-service.js";
import type { TableSnapshot } from "./metadata-snapshot.js";

/** Rows read, checked against the target and written per step: memory holds one such batch. */
const RESTORE_BATCH_ROWS = 10_000;

interface RestoreCounts {
  matched: number;
  restored: number;
  skipped: number;
}

export interface DataRestoreRequest {
  readonly table: string;
  /** Empty: the source table. */
  readonly targetTable: string;
  readonly ids: readonly string[];
  /** Epoch µs, inclusive / exclusive; absent bounds are open. */
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  /** Empty: the latest backup. */
  readonly backupFile: string;
  readonly dryRun: boolean;
}

export interface DataRestoreOutcome {
  readonly backup_file: string;
  readonly target_table: string;
  readonly records_matched: number;
  readonly records_restored: number;
  readonly records_skipped: number;
  readonly files_read: number;
  readonly duration_ms: number;
}

export interface DataRestoreServiceOptions {
  readonly metadata: MetadataStore;
  /** The backup pool (the primary when there is none). */
  readonly backupObjects: ObjectStore;
  /** The data store; read when the backup pool lacks a file. */
  readonly objects: ObjectStore;
  readonly backups: MetadataBackupService;
  readonly writer: Pick<ParquetFileWriter, "rewrite">;
  readonly scratchDirectory: string;
  readonly tables: TableService;
  readonly queries: QueryService;
  readonly data: DataPlane;
  readonly maxBatchRecords: number;
}

/**
 * RestoreData: brings back a table's records as a metadata backup knew them, reading its data
 * files from the backup pool: the records matching the ids and/or time range that were live at
 * the backup (tombstones of the backup applied) are written again — into the table or another
 * one, created with the source's config when missing — as new writes, so later tombstones do not
 * hide them. Records whose id is visible in the target already are left alone (counted as
 * skipped), so a restore can be repeated. `dryRun` only counts. The selected rows are streamed
 * from a scratch file in batches, so memory holds one batch and the set of restored ids.
 */
export class DataRestoreService {
  readonly #options: DataRestoreServiceOptions;

  constructor(options: DataRestoreServiceOptions) {
    this.#options = options;
  }

  /** Checks a request before a job starts (bad input fails the call, not the job). */
  check(request: DataRestoreRequest): void {
    parseTableName(request.table);
    if (request.targetTable !== "") parseTableName(request.targetTable);
    if (request.ids.some((id) => typeof id !== "string" || id === ""))
      throw new MiniodbError("invalid_argument", "record ids may not be empty", {
        details: { field: "ids" },
      });
    if (request.from !== undefined && request.to !== undefined && request.from >= request.to)
      throw new MiniodbError("invalid_argument", "start_time must be before end_time", {
        details: { field: "start_time" },
      });
  }

  async restore(request: DataRestoreRequest, report: ProgressReporter): Promise<DataRestoreOutcome> {
    this.check(request);
    const started = Date.now();
    const { name, snapshot } = await this.#options.backups.read(request.backupFile);
    const table = snapshot.tables.find((candidate) => candidate.entry.name === request.table);
    if (!table)
      throw new MiniodbError("not_found", `backup ${name} has no table ${request.table}`, {
        details: { table: request.table, backup_file: name },
      });
    const targetName = request.targetTable === "" ? request.table : request.targetTable;
    const ids = request.ids.length > 0 ? [...new Set(request.ids)] : undefined;
    const range = {
      ids,
      timestampMin: request.from,
      timestampMax: request.to === undefined ? undefined : request.to - 1,
    };
    const files = table.files.filter((file) => fileInRange(file, range));
    report({ files_total: files.length });
    const counts: RestoreCounts = { matched: 0, restored: 0, skipped: 0 };
    const filter = { ids, from: request.from, to: request.to };
    const target = await this.#target(targetName, table, request.dryRun);
    // Ids this restore wrote: a later batch must not take them for records already visible.
    const written = new Set<string>();
    await this.#readRecords(table, files, filter, async (records) => {
      counts.matched += records.length;
      const visible = target
        ? await this.#visibleIds(
            target,
            [...new Set(records.map((r) => r.id!))].filter((id) => !written.has(id)),
          )
        : new Set<string>();
      const restore = records.filter((record) => !visible.has(record.id!));
      counts.skipped += records.length - restore.length;
      if (request.dryRun || !target) return;
      for (let start = 0; start < restore.length; start += this.#options.maxBatchRecords) {
        const batch = restore.slice(start, start + this.#options.maxBatchRecords);
        const result = await this.#options.data.write(target, batch);
        for (const record of batch) written.add(record.id!);
        counts.restored += result.written;
        report({ records_restored: counts.restored });
      }
    });
    return {
      backup_file: name,
      target_table: targetName,
      records_matched: counts.matched,
      records_restored: counts.restored,
      records_skipped: counts.skipped,
      files_read: files.length,
      duration_ms: Date.now() - started,
    };
  }

  /**
   * Hands the live rows of the files as of the backup, filtered, to `consume` as records, in
   * batches of RESTORE_BATCH_ROWS (the files are merged into one scratch file first).
   */
  async #readRecords(
    table: TableSnapshot,
    files: readonly DataFile[],
    filter: { ids?: string[] | undefined; from?: number | undefined; to?: number | undefined },
    consume: (records: RecordInput[]) => Promise<void>,
  ): Promise<void> {
    if (files.length === 0) return;
    const directory = join(this.#options.scratchDirectory, `restore-${randomUUID()}`);
    await mkdir(directory, { recursive: true });
    try {
      const byVersion = new Map<number, string[]>();
      for (const [index, file] of files.entries()) {
        const path = join(directory, `in-${index}.parquet`);
        await writeFile(path, await this.#fetch(file.key));
        byVersion.set(file.schemaVersion, [...(byVersion.get(file.schemaVersion) ?? []), path]);
      }
      const columnsOf = new Map(table.schemas.map((schema) => [schema.version, schema.columns]));
      const columns = table.schemas.at(-1)?.columns ?? [];
      let tombstonesPath: string | undefined;
      if (table.tombstones.length > 0) {
        tombstonesPath = join(directory, "tombstones.ndjson");
        await writeFile(
          tombstonesPath,
          table.tombstones.map((t) => tombstoneLine(t.id, t.sequence)).join("\n"),
        );
      }
      const outputPath = join(directory, "selected.parquet");
      const stats = await this.#options.writer.rewrite({
        source: {
          columns,
          fileGroups: [...byVersion].map(([version, paths]) => ({
            paths,
            columns: columnsOf.get(version) ?? [],
            tombstoned: tombstonesPath !== undefined,
          })),
          tombstonesPath,
          maxLineBytes: 1 << 20,
        },
        outputPath,
        filter,
      });
      if (!stats) return;
      for await (const rows of readParquetBatches(outputPath, RESTORE_BATCH_ROWS))
        await consume(rows.map((row) => rowToRecord(row, columns)));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }

  /** A file from the backup pool, or from the data store when the backup pool lacks it. */
  async #fetch(key: string): Promise<Uint8Array> {
    try {
      return await this.#options.backupObjects.get(key);
    } catch (error) {
      if (!MiniodbError.is(error, "not_found") || this.#options.backupObjects === this.#options.objects)
        throw error;
      return this.#options.objects.get(key);
    }
  }

  async #target(name: string, source: TableSnapshot, dryRun: boolean): Promise<TableEntry | undefined> {
    const existing = await this.#options.metadata.getTable(name);
    if (existing || dryRun) return existing;
    await this.#options.tables.create(name, source.entry.config, true);
    return this.#options.tables.require(name);
  }

  async #visibleIds(target: TableEntry, ids: readonly string[]): Promise<Set<string>> {
    const visible = new Set<string>();
    for (let start = 0; start < ids.length; start += 5_000) {
      const chunk = ids.slice(start, start + 5_000);
      const sql =
        `SELECT DISTINCT id FROM ${quoteSqlIdentifier(target.name)} ` +
        `WHERE id IN (${chunk.map(quoteSqlLiteral).join(", ")})`;
      const rows = await this.#options.queries.withTables(
        [{ entry: target, range: { ids: chunk } }],
        async (session) => (await session.readAll(sql)).rows,
      );
      for (const row of rows) visible.add(String(row["id"]));
    }
    return visible;
  }
}
