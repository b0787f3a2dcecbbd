import { metadataBackupKey, MiniodbError, type MetadataStore, type ObjectStore } from "@miniodb/core";
import { backupIdAt, backupKeyOf, listBackupObjects, type BackupObject } from "./backup-files.js";
import type { JobKind, JobTracker } from "./job-tracker.js";
import { decodeSnapshot, encodeSnapshot, takeSnapshot, type MetadataSnapshot } from "./metadata-snapshot.js";

export interface MetadataBackupServiceOptions {
  readonly nodeId: string;
  readonly metadata: MetadataStore;
  /** The backup pool, or the primary when there is none. */
  readonly store: ObjectStore;
  readonly storeName: "backup" | "primary";
  readonly jobs: JobTracker;
  /** Scheduled backups every this often; 0 = on demand only. */
  readonly intervalMs: number;
  /** Backups older than this are deleted (the newest is always kept). */
  readonly keepMs: number;
  readonly now?: () => number;
}

export interface BackupOutcome {
  readonly backup_id: string;
  readonly object_key: string;
  readonly created_at: string;
  readonly size_bytes: number;
  readonly tables: number;
  readonly files: number;
  readonly tombstones: number;
}

export interface BackupListing extends BackupObject {
  readonly nodeId: string;
}

/**
 * Metadata backups: a full snapshot of the metadata store (see metadata-snapshot) written to the
 * backup pool (the primary when there is none) as `backups/metadata/<id>.json`, on a schedule and
 * on demand; listing, status, reading back, and the data files retained backups still need.
 */
export class MetadataBackupService {
  readonly #options: MetadataBackupServiceOptions;
  #running: Promise<BackupOutcome> | undefined;
  #lastBackup: Date | undefined;
  #lastError: string | undefined;
  #known = false;
  readonly #referencedKeys = new Map<string, ReadonlySet<string>>();

  constructor(options: MetadataBackupServiceOptions) {
    this.#options = options;
  }

  /**
   * Takes a backup now. Without `force`, a call while one is running returns that one's outcome;
   * with it, a new backup is taken after it.
   */
  async backup(force = false): Promise<BackupOutcome> {
    const running = this.#running;
    if (running) {
      const outcome = await running.catch(() => undefined);
      if (outcome && !force) return outcome;
      if (this.#running && this.#running !== running) return this.backup(force);
    }
    const job = this.#options.jobs.start("backup", () => this.#backup());
    this.#running = job.done;
    try {
      return await job.done;
    } finally {
      if (this.#running === job.done) this.#running = undefined;
    }
  }

  /** A scheduled backup if one is due, then deletion of expired backups. */
  async runIfDue(): Promise<void> {
    if (this.#options.intervalMs <= 0) return;
    const last = await this.#latestTime();
    if (last && this.#now() - last.getTime() < this.#options.intervalMs) return;
    await this.backup();
    await this.prune();
  }

  /** Deletes backups older than the keep window, always keeping the newest. */
  async prune(): Promise<number> {
    const cutoff = this.#now() - this.#options.keepMs;
    const [, ...older] = await listBackupObjects(this.#options.store);
    const expired = older.filter((backup) => backup.lastModified.getTime() < cutoff);
    for (const backup of expired) {
      await this.#options.store.delete(backup.key);
      this.#referencedKeys.delete(backup.key);
    }
    return expired.length;
  }

  /** Backups stored in the last `days` days (every backup for 0 or less), newest first. */
  async list(days: number): Promise<BackupListing[]> {
    const since = days > 0 ? this.#now() - days * 86_400_000 : Number.NEGATIVE_INFINITY;
    const objects = (await listBackupObjects(this.#options.store)).filter(
      (backup) => backup.lastModified.getTime() >= since,
    );
    const records = await this.#options.metadata.listBackups(new Date(0)).catch(() => []);
    const nodes = new Map(records.map((record) => [record.objectKey, record.nodeId]));
    return objects.map((backup) => ({ ...backup, nodeId: nodes.get(backup.key) ?? "" }));
  }

  /** Reads and checks a backup: the named one, or the latest when `file` is empty. */
  async read(file: string): Promise<{ key: string; name: string; snapshot: MetadataSnapshot }> {
    const key = file === "" ? (await this.#latestObject()).key : backupKeyOf(file);
    const name = key.slice(key.lastIndexOf("/") + 1);
    const bytes = await this.#options.store.get(key).catch((error: unknown) => {
      if (MiniodbError.is(error, "not_found"))
        throw new MiniodbError("not_found", `no backup ${name} in the ${this.#options.storeName} pool`, {
          details: { backup_file: file },
        });
      throw error;
    });
    return { key, name, snapshot: decodeSnapshot(bytes, name) };
  }

  /** Data object keys that retained backups list (kept by the janitor so they stay restorable). */
  async protectedKeys(): Promise<ReadonlySet<string>> {
    const keys = new Set<string>();
    const backups = await listBackupObjects(this.#options.store);
    for (const backup of backups) {
      let referenced = this.#referencedKeys.get(backup.key);
      if (!referenced) {
        const { snapshot } = await this.read(backup.key);
        referenced = new Set(snapshot.tables.flatMap((table) => table.files.map((file) => file.key)));
        this.#referencedKeys.set(backup.key, referenced);
      }
      for (const key of referenced) keys.add(key);
    }
    return keys;
  }

  /** Last and next backup and health, for GetMetadataStatus. */
  async status() {
    const last = await this.#latestTime().catch(() => undefined);
    const { intervalMs, storeName } = this.#options;
    const next =
      intervalMs > 0 ? new Date(Math.max(this.#now(), (last?.getTime() ?? 0) + intervalMs)) : undefined;
    const health = this.#lastError ? "degraded" : "healthy";
    const running = this.#options.jobs.running("backup");
    return {
      nodeId: this.#options.nodeId,
      lastBackup: last,
      nextBackup: next,
      health,
      details: {
        enabled: String(intervalMs > 0),
        interval_seconds: String(intervalMs / 1000),
        store: storeName,
        running: String(running !== undefined),
        ...(this.#lastError ? { last_error: this.#lastError } : {}),
        ...jobSummaries(this.#options.jobs),
      },
    };
  }

  async #backup(): Promise<BackupOutcome> {
    const { metadata, store, nodeId } = this.#options;
    const createdAt = new Date(this.#now());
    const backupId = backupIdAt(createdAt);
    try {
      const snapshot = await takeSnapshot(metadata, { backupId, nodeId, createdAt });
      const key = metadataBackupKey(backupId);
      const stored = await store.put(key, encodeSnapshot(snapshot));
      await metadata.putBackup({ id: backupId, objectKey: key, nodeId, createdAt, sizeBytes: stored.size });
      this.#lastBackup = createdAt;
      this.#lastError = undefined;
      return {
        backup_id: backupId,
        object_key: key,
        created_at: createdAt.toISOString(),
        size_bytes: stored.size,
        tables: snapshot.tables.length,
        files: snapshot.tables.reduce((sum, table) => sum + table.files.length, 0),
        tombstones: snapshot.tables.reduce((sum, table) => sum + table.tombstones.length, 0),
      };
    } catch (error) {
      this.#lastError = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  async #latestObject(): Promise<BackupObject> {
    const [latest] = await listBackupObjects(this.#options.store);
    if (!latest)
      throw new MiniodbError("not_found", `no metadata backup in the ${this.#options.storeName} pool yet`);
    return latest;
  }

  async #latestTime(): Promise<Date | undefined> {
    if (!this.#known) {
      const [latest] = await listBackupObjects(this.#options.store);
      this.#lastBackup ??= latest?.lastModified;
      this.#known = true;
    }
    return this.#lastBackup;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }
}

const KINDS: readonly JobKind[] = ["backup", "compaction", "restore-metadata", "restore-data"];

/** `<kind>.state`, `<kind>.job_id`, `<kind>.finished_at` and `<kind>.error` of each kind's latest job. */
function jobSummaries(jobs: JobTracker): Record<string, string> {
  const summary: Record<string, string> = {};
  for (const kind of KINDS) {
    const job = jobs.list(kind)[0];
    if (!job) continue;
    summary[`${kind}.state`] = job.state;
    summary[`${kind}.job_id`] = job.id;
    if (job.finishedAt) summary[`${kind}.finished_at`] = job.finishedAt.toISOString();
    if (job.error) summary[`${kind}.error`] = job.error;
  }
  return summary;
}
