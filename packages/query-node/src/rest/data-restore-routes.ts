import type { Hono } from "hono";
import { RestoreDataRequestSchema } from "@miniodb/proto";
import type { DataRestoreOutcome } from "../lifecycle/data-restore-service.js";
import { jobToJson } from "../lifecycle/job-json.js";
import {
  formatDuration,
  settleJob,
  startDataRestore,
  type LifecycleApi,
} from "../lifecycle/lifecycle-api.js";
import { timestampToMicros } from "../rpc/proto-convert.js";
import { messageFromJson, readJsonBody } from "./rest-body.js";

/**
 * `POST /v1/restore/data` with RestoreDataRequest fields: `{table, target_table, ids, start_time,
 * end_time, backup_file, dry_run, async}`. Waits for the outcome unless `async` (then 202 and the
 * job id).
 */
export function addDataRestoreRoutes(app: Hono, api: LifecycleApi | undefined): void {
  if (!api) return;
  app.post("/v1/restore/data", async (context) => {
    const request = messageFromJson(RestoreDataRequestSchema, await readJsonBody(context));
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
    if (!outcome) return context.json({ success: true, job_id: job.id, job: jobToJson(job) }, 202);
    return context.json({
      success: true,
      message: `${request.dryRun ? "would restore" : "restored"} ${outcome.records_matched - outcome.records_skipped} records into ${outcome.target_table}`,
      ...outcome,
      duration: formatDuration(outcome.duration_ms),
      job_id: job.id,
    });
  });
}
