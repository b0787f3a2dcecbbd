import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  CompactTableResponseSchema,
  GetJobResponseSchema,
  JobInfoSchema,
  RepairPrimaryResponseSchema,
  RestoreDataResponseSchema,
  type CompactTableRequest,
  type GetJobRequest,
  type RepairPrimaryRequest,
  type JobInfo,
  type RestoreDataRequest,
} from "@miniodb/proto";
import type { DataRestoreOutcome } from "../lifecycle/data-restore-service.js";
import {
  formatDuration,
  settleJob,
  startDataRestore,
  startPrimaryRepair,
  type LifecycleApi,
} from "../lifecycle/lifecycle-api.js";
import { timestampToMicros } from "./proto-convert.js";
import { stringifyResult } from "../lifecycle/job-json.js";
import type { JobView } from "../lifecycle/job-tracker.js";

/** CompactTable, RepairPrimary, GetJob and RestoreData; absent (unimplemented) when the node runs no lifecycle jobs. */
export function createLifecycleRpcs(api: LifecycleApi | undefined) {
  if (!api) return {};
  return {
    async compactTable(request: CompactTableRequest) {
      const job = await settleJob(api.jobs, await api.lifecycle.compact(request.table), request.async);
      const message = job.state === "running" ? "compaction started" : "compaction finished";
      return create(CompactTableResponseSchema, {
        success: true,
        message,
        jobId: job.id,
        job: jobToProto(job),
      });
    },
    async restoreData(request: RestoreDataRequest) {
      const started = await startDataRestore(api, {
        table: request.table,
        targetTable: request.targetTable,
        ids: request.ids,
        from: request.startTime ? timestampToMicros(request.startTime) : undefined,
        to: request.endTime ? timestampToMicros(request.endTime) : undefined,
        backupFile: request.backupFile,
        dryRun: request.dryRun,
      });
      const job = await settleJob(api.jobs, started, request.async);
      const outcome = job.result as DataRestoreOutcome | undefined;
      if (!outcome)
        return create(RestoreDataResponseSchema, {
          success: true,
          message: "restore started",
          jobId: job.id,
        });
      return create(RestoreDataResponseSchema, {
        success: true,
        message: `${request.dryRun ? "would restore" : "restored"} ${outcome.records_matched - outcome.records_skipped} records into ${outcome.target_table}`,
        backupFile: outcome.backup_file,
        recordsMatched: BigInt(outcome.records_matched),
        recordsRestored: BigInt(outcome.records_restored),
        recordsSkipped: BigInt(outcome.records_skipped),
        filesRead: outcome.files_read,
        duration: formatDuration(outcome.duration_ms),
        jobId: job.id,
      });
    },
    async repairPrimary(request: RepairPrimaryRequest) {
      const job = await settleJob(api.jobs, startPrimaryRepair(api), request.async);
      const message = job.state === "running" ? "repair started" : "repair finished";
      return create(RepairPrimaryResponseSchema, {
        success: true,
        message,
        jobId: job.id,
        job: jobToProto(job),
      });
    },
    getJob(request: GetJobRequest) {
      return create(GetJobResponseSchema, { job: jobToProto(api.jobs.get(request.jobId)) });
    },
  };
}

export function jobToProto(job: JobView): JobInfo {
  return create(JobInfoSchema, {
    id: job.id,
    kind: job.kind,
    state: job.state,
    startedAt: timestampFromDate(job.startedAt),
    ...(job.finishedAt ? { finishedAt: timestampFromDate(job.finishedAt) } : {}),
    progress: Object.fromEntries(Object.entries(job.progress).map(([key, value]) => [key, BigInt(value)])),
    resultJson: job.result === undefined ? "" : stringifyResult(job.result),
    error: job.error ?? "",
  });
}
