import type { MiniodbMetrics } from "./miniodb-metrics.js";

/** What the metrics need of a finished lifecycle job. */
export interface FinishedJob {
  readonly kind: string;
  readonly state: string;
  readonly startedAt: Date;
  readonly finishedAt?: Date | undefined;
}

/**
 * Counts finished metadata backups and restores (metadata and data) by outcome, and records how
 * long each backup took: `miniodb_backup_operations_total`, `miniodb_restore_operations_total`,
 * `miniodb_backup_duration_seconds`. Other jobs have their own gauges.
 */
export function recordLifecycleJob(metrics: MiniodbMetrics, job: FinishedJob): void {
  const status = job.state === "succeeded" ? "success" : "error";
  if (job.kind === "backup") {
    metrics.backupOperations.add(1, { status });
    const end = job.finishedAt ?? new Date();
    metrics.backupDuration.record((end.getTime() - job.startedAt.getTime()) / 1000, { type: "full" });
  } else if (job.kind === "restore-metadata" || job.kind === "restore-data") {
    metrics.restoreOperations.add(1, { status });
  }
}
