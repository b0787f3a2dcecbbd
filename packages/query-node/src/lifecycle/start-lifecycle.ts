import type { Logger } from "pino";
import type { MetadataStore, ObjectStore } from "@miniodb/core";
import type { ParquetFileWriter } from "@miniodb/executor";
import { TableCompactor } from "@miniodb/worker-node";
import type { LifecycleConfig } from "../config/lifecycle-config.js";
import type { DataPlane } from "../services/data-plane.js";
import type { QueryService } from "../services/query-service.js";
import type { TableService } from "../services/table-service.js";
import { DataRestoreService } from "./data-restore-service.js";
import { JobTracker, type JobView } from "./job-tracker.js";
import type { LifecycleApi } from "./lifecycle-api.js";
import { LifecycleService } from "./lifecycle-service.js";
import { MetadataBackupService } from "./metadata-backup-service.js";
import { MetadataRestoreService } from "./metadata-restore-service.js";
import { ObjectJanitor } from "./object-janitor.js";
import { repairPrimary } from "./primary-repair.js";

export interface LifecycleDeps {
  readonly nodeId: string;
  readonly config: LifecycleConfig;
  readonly metadata: MetadataStore;
  readonly objects: ObjectStore;
  /** The backup pool alone, when there is one. */
  readonly backupObjects?: ObjectStore | undefined;
  /** The primary pool alone, when there is a backup pool. */
  readonly primaryObjects?: ObjectStore | undefined;
  readonly writer: ParquetFileWriter;
  /**
   * The API's view of the workers: data restores write through it and compaction reads the
   * unflushed rows of every worker from it (the local worker, or a cluster's workers).
   */
  readonly data: DataPlane;
  readonly scratchDirectory: string;
  readonly tables: TableService;
  readonly queries: QueryService;
  readonly maxBatchRecords: number;
  readonly logger: Logger;
  /** Sees every lifecycle job as it ends (for metrics). */
  readonly onJobFinished?: (job: JobView) => void;
}

export interface RunningLifecycle {
  readonly api: LifecycleApi;
  close(): Promise<void>;
}

/**
 * Builds the lifecycle jobs of a node (the all-in-one node, or a cluster's query node) and starts
 * their timer. Wiring only.
 */
export function startLifecycle(deps: LifecycleDeps): RunningLifecycle {
  const { config, metadata, objects, logger } = deps;
  const jobs = new JobTracker(deps.onJobFinished ? { onFinish: deps.onJobFinished } : {});
  const backups = new MetadataBackupService({
    nodeId: deps.nodeId,
    metadata,
    store: deps.backupObjects ?? objects,
    storeName: deps.backupObjects ? "backup" : "primary",
    jobs,
    intervalMs: config.backup_interval_seconds * 1000,
    keepMs: config.backup_keep_days * 86_400_000,
  });
  const restores = new MetadataRestoreService({ nodeId: deps.nodeId, metadata, objects, backups, jobs });
  const dataRestores = new DataRestoreService({
    metadata,
    backupObjects: deps.backupObjects ?? objects,
    objects,
    backups,
    writer: deps.writer,
    scratchDirectory: deps.scratchDirectory,
    tables: deps.tables,
    queries: deps.queries,
    data: deps.data,
    maxBatchRecords: deps.maxBatchRecords,
  });
  const janitor = new ObjectJanitor({
    metadata,
    objects,
    graceMs: config.delete_grace_seconds * 1000,
    protectedKeys: () => backups.protectedKeys(),
  });
  const compactor = new TableCompactor({
    metadata,
    objects,
    writer: deps.writer,
    scratchDirectory: deps.scratchDirectory,
    buffers: deps.data,
    policy: {
      targetFileBytes: config.compaction_target_file_bytes,
      minSmallFiles: config.compaction_min_small_files,
    },
  });
  const lifecycle = new LifecycleService({
    nodeId: deps.nodeId,
    metadata,
    compactor,
    janitor,
    jobs,
    intervalMs: config.interval_seconds * 1000,
    onTick: () => backups.runIfDue(),
    onError: (error, job) => logger.error({ err: error, job }, "lifecycle job failed; will retry"),
  });
  lifecycle.start();
  const { primaryObjects: primary, backupObjects: backup } = deps;
  const repair =
    primary && backup
      ? () => jobs.start("repair-primary", (report) => repairPrimary({ metadata, primary, backup }, report))
      : undefined;
  return {
    api: { lifecycle, jobs, backups, restores, dataRestores, repairPrimary: repair },
    close: () => lifecycle.close(),
  };
}
