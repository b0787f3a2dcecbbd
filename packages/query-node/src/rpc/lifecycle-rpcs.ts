import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  CompactTableResponseSchema,
  GetJobResponseSchema,
  JobInfoSchema,
  type CompactTableRequest,
  type GetJobRequest,
  type JobInfo,
} from "@miniodb/proto";
import { settleJob, type LifecycleApi } from "../lifecycle/lifecycle-api.js";
import { stringifyResult } from "../lifecycle/job-json.js";
import type { JobView } from "../lifecycle/job-tracker.js";

/** CompactTable and GetJob; absent (unimplemented) when the node runs no lifecycle jobs. */
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
