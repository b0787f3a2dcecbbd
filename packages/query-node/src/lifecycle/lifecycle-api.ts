import { MiniodbError } from "@miniodb/core";
import type { DataRestoreRequest, DataRestoreService } from "./data-restore-service.js";
import type { PrimaryRepairOutcome } from "./primary-repair.js";
import type { JobTracker, JobView, StartedJob } from "./job-tracker.js";
import type { LifecycleService } from "./lifecycle-service.js";
import type { MetadataBackupService } from "./metadata-backup-service.js";
import type { MetadataRestoreService, RestoreMetadataOutcome } from "./metadata-restore-service.js";

/** What the API edge calls for the data lifecycle. */
export interface LifecycleApi {
  readonly lifecycle: LifecycleService;
  readonly jobs: JobTracker;
  readonly backups: MetadataBackupService;
  readonly restores: MetadataRestoreService;
  readonly dataRestores: DataRestoreService;
  /** Copies what the primary pool lacks from the backup pool; absent without a backup pool. */
  readonly repairPrimary?: (() => StartedJob<PrimaryRepairOutcome>) | undefined;
}

/** The primary repair job, or failed_precondition when there is no backup pool. */
export function startPrimaryRepair(api: LifecycleApi): StartedJob<PrimaryRepairOutcome> {
  if (!api.repairPrimary)
    throw new MiniodbError(
      "failed_precondition",
      "no backup pool is configured (storage.backup): nothing to repair from",
    );
  return api.repairPrimary();
}

/** RestoreData as a job: checked first (bad input fails the call), then run. */
export async function startDataRestore(api: LifecycleApi, request: DataRestoreRequest) {
  api.dataRestores.check(request);
  return api.jobs.start("restore-data", (report) => api.dataRestores.restore(request, report));
}

/** A duration as the original spelled it: seconds with a unit, e.g. `1.234s`. */
export function formatDuration(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

/** The details map of a RestoreMetadata answer. */
export function restoreDetails(outcome: RestoreMetadataOutcome, dryRun: boolean): Record<string, string> {
  return { ...outcome.details, dry_run: String(dryRun) };
}

/** Waits for a started job unless the caller asked for its id only; the job as it then stands. */
export async function settleJob<T>(
  jobs: JobTracker,
  started: StartedJob<T>,
  async: boolean,
): Promise<JobView> {
  if (!async) await started.done;
  return jobs.get(started.id);
}
