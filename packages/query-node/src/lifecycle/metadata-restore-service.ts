import { MiniodbError, type MetadataStore, type ObjectStore, type Tombstone } from "@miniodb/core";
import type { JobTracker } from "./job-tracker.js";
import type { MetadataBackupService } from "./metadata-backup-service.js";
import { selectRestoreEntries, type TableSelection } from "./metadata-restore-plan.js";
import { mapLimit } from "./map-limit.js";

export interface RestoreMetadataRequestOptions {
  readonly backupFile: string;
  readonly fromLatest: boolean;
  readonly dryRun: boolean;
  readonly overwrite: boolean;
  readonly validate: boolean;
  readonly parallel: boolean;
  readonly filters: Readonly<Record<string, string>>;
  readonly keyPatterns: readonly string[];
}

export interface RestoreMetadataOutcome {
  readonly success: boolean;
  readonly message: string;
  readonly backupFile: string;
  readonly total: number;
  readonly ok: number;
  readonly skipped: number;
  readonly error: number;
  readonly durationMs: number;
  readonly errors: readonly string[];
  readonly details: Readonly<Record<string, string>>;
}

interface Counts {
  ok: number;
  skipped: number;
  error: number;
  errors: string[];
}

const LEASE = "metadata-restore";

export interface MetadataRestoreServiceOptions {
  readonly nodeId: string;
  readonly metadata: MetadataStore;
  /** Where data files live (validate checks them there). */
  readonly objects: ObjectStore;
  readonly backups: MetadataBackupService;
  readonly jobs: JobTracker;
}

/**
 * RestoreMetadata: writes a backup's tables (config, schema versions, manifest, tombstones) and
 * backup records back into the metadata store. An existing table is skipped, or with `overwrite`
 * replaced as a whole (its metadata only: no object is deleted). `validate` also checks that every
 * data file a restored manifest lists exists; any problem then restores nothing. `dry_run` counts
 * what would happen and writes nothing. One restore at a time (failed_precondition otherwise).
 */
export class MetadataRestoreService {
  readonly #options: MetadataRestoreServiceOptions;
  #running = false;

  constructor(options: MetadataRestoreServiceOptions) {
    this.#options = options;
  }

  async restore(request: RestoreMetadataRequestOptions): Promise<RestoreMetadataOutcome> {
    if (request.backupFile !== "" && request.fromLatest)
      throw new MiniodbError("invalid_argument", "name a backup_file or set from_latest, not both", {
        details: { field: "backup_file" },
      });
    if (request.backupFile === "" && !request.fromLatest)
      throw new MiniodbError("invalid_argument", "name a backup_file or set from_latest", {
        details: { field: "backup_file" },
      });
    if (this.#running) throw busy();
    this.#running = true;
    try {
      const { metadata, nodeId } = this.#options;
      const lease = await metadata.acquireLease(LEASE, nodeId, new Date(), 3_600_000);
      if (!lease) throw busy();
      try {
        const job = this.#options.jobs.start("restore-metadata", (report) => this.#restore(request, report));
        return await job.done;
      } finally {
        await metadata.releaseLease(lease).catch(() => undefined);
      }
    } finally {
      this.#running = false;
    }
  }

  async #restore(
    request: RestoreMetadataRequestOptions,
    report: (progress: Record<string, number>) => void,
  ): Promise<RestoreMetadataOutcome> {
    const started = Date.now();
    let read;
    try {
      read = await this.#options.backups.read(request.backupFile);
    } catch (error) {
      if (!(request.validate && MiniodbError.is(error, "data_loss"))) throw error;
      const message = error.message;
      return outcome(
        started,
        request.backupFile,
        { ok: 0, skipped: 0, error: 1, errors: [message] },
        1,
        message,
      );
    }
    const { name, snapshot } = read;
    const selection = selectRestoreEntries(snapshot, request.filters, request.keyPatterns, name);
    const counts: Counts = { ok: 0, skipped: 0, error: 0, errors: [] };
    report({ entries_total: selection.total, entries_done: 0 });
    if (request.validate) {
      const problems = await this.#validate(selection.tables);
      if (problems.length > 0) {
        counts.error = problems.length;
        counts.skipped = selection.total - problems.length;
        counts.errors.push(...problems.map((problem) => problem.message));
        return outcome(started, name, counts, selection.total, "validation failed; nothing was restored");
      }
    }
    const limit = request.parallel ? 8 : 1;
    await mapLimit(selection.tables, limit, async (table) => {
      await this.#restoreTable(table, request, counts);
      report({ entries_done: counts.ok + counts.skipped + counts.error });
    });
    await this.#restoreBackupRecords(selection.backups, request, counts);
    const verb = request.dryRun ? "would restore" : "restored";
    const message = `${verb} ${counts.ok} of ${selection.total} entries from ${name}`;
    return outcome(started, name, counts, selection.total, message);
  }

  async #restoreTable(selection: TableSelection, request: RestoreMetadataRequestOptions, counts: Counts) {
    const { metadata } = this.#options;
    const { table, parts, entries } = selection;
    const name = table.entry.name;
    const fail = (message: string) => {
      counts.error += entries.length;
      counts.errors.push(`table ${name}: ${message}`);
    };
    const exists = (await metadata.getTable(name)) !== undefined;
    if (exists && !request.overwrite) {
      counts.skipped += entries.length;
      return;
    }
    if (!parts.has("config"))
      return fail(
        `restoring ${exists ? "over an existing table" : "a missing table"} needs its config key too`,
      );
    if (request.dryRun) {
      counts.ok += entries.length;
      return;
    }
    try {
      if (exists) await metadata.deleteTable(name);
      await metadata.createTable(table.entry);
      if (parts.has("schemas")) for (const schema of table.schemas) await metadata.putSchema(name, schema);
      if (parts.has("manifest") && table.files.length > 0)
        await metadata.commitManifest(name, { add: table.files });
      if (parts.has("tombstones") && table.tombstones.length > 0)
        await restoreTombstoneState(metadata, name, table.tombstones);
      if (table.lastWrite) await metadata.touchTable(name, table.lastWrite);
      counts.ok += entries.length;
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
  }

  async #restoreBackupRecords(
    records: ReadonlyArray<{
      id: string;
      objectKey: string;
      nodeId: string;
      createdAt: Date;
      sizeBytes: number;
    }>,
    request: RestoreMetadataRequestOptions,
    counts: Counts,
  ) {
    if (records.length === 0) return;
    const { metadata } = this.#options;
    const existing = new Set((await metadata.listBackups(new Date(0))).map((record) => record.id));
    for (const record of records) {
      if (existing.has(record.id) && !request.overwrite) counts.skipped++;
      else if (request.dryRun) counts.ok++;
      else {
        await metadata.putBackup(record).then(
          () => counts.ok++,
          (error: unknown) => {
            counts.error++;
            counts.errors.push(`backup record ${record.id}: ${String(error)}`);
          },
        );
      }
    }
  }

  /** Every data file the selected manifests list must exist in the object store. */
  async #validate(tables: readonly TableSelection[]): Promise<Error[]> {
    const problems: Error[] = [];
    for (const { table, parts } of tables) {
      if (!parts.has("manifest")) continue;
      const missing: string[] = [];
      await mapLimit(table.files, 16, async (file) => {
        if (!(await this.#options.objects.head(file.key))) missing.push(file.key);
      });
      if (missing.length > 0)
        problems.push(
          new Error(
            `table ${table.entry.name}: ${missing.length} of ${table.files.length} data files are missing (${missing.sort()[0]}${missing.length > 1 ? ", …" : ""})`,
          ),
        );
    }
    return problems;
  }
}

function busy(): MiniodbError {
  return new MiniodbError(
    "failed_precondition",
    "another metadata restore is running; try again when it ends",
  );
}

function outcome(started: number, backupFile: string, counts: Counts, total: number, message: string) {
  return {
    success: counts.error === 0,
    message,
    backupFile,
    total,
    ok: counts.ok,
    skipped: counts.skipped,
    error: counts.error,
    durationMs: Date.now() - started,
    errors: counts.errors,
    details: {},
  } satisfies RestoreMetadataOutcome;
}

/**
 * Puts tombstones back as the snapshot had them. The store derives a soft tombstone's
 * `restoreSequence` from the hard tombstone it replaces, so that hard one is added first.
 */
async function restoreTombstoneState(
  metadata: MetadataStore,
  table: string,
  tombstones: readonly Tombstone[],
): Promise<void> {
  const replaced = tombstones.flatMap((tombstone) =>
    tombstone.restoreSequence === undefined
      ? []
      : [
          {
            id: tombstone.id,
            sequence: tombstone.restoreSequence,
            soft: false,
            createdAt: tombstone.createdAt,
          },
        ],
  );
  if (replaced.length > 0) await metadata.addTombstones(table, replaced);
  await metadata.addTombstones(table, tombstones);
}
