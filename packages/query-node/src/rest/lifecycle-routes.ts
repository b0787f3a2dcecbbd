import type { Context, Hono } from "hono";
import { CompactTableRequestSchema, RepairPrimaryRequestSchema } from "@miniodb/proto";
import { jobToJson } from "../lifecycle/job-json.js";
import { settleJob, startPrimaryRepair, type LifecycleApi } from "../lifecycle/lifecycle-api.js";
import { messageFromJson, readJsonBody } from "./rest-body.js";

/**
 * `POST /v1/compaction` `{table?, async?}`, `POST /v1/storage/repair` `{async?}`, `GET /v1/jobs`,
 * `GET /v1/jobs/:id`. A call that starts
 * a job waits for it unless `async` is true; either way it answers with the job.
 */
export function addLifecycleRoutes(app: Hono, api: LifecycleApi | undefined): void {
  if (!api) return;
  app.post("/v1/compaction", async (context) => {
    const request = messageFromJson(CompactTableRequestSchema, await optionalJsonBody(context));
    const job = await settleJob(api.jobs, await api.lifecycle.compact(request.table), request.async);
    return context.json(
      { success: true, job_id: job.id, job: jobToJson(job) },
      job.state === "running" ? 202 : 200,
    );
  });
  app.post("/v1/storage/repair", async (context) => {
    const request = messageFromJson(RepairPrimaryRequestSchema, await optionalJsonBody(context));
    const job = await settleJob(api.jobs, startPrimaryRepair(api), request.async);
    return context.json(
      { success: true, job_id: job.id, job: jobToJson(job) },
      job.state === "running" ? 202 : 200,
    );
  });
  app.get("/v1/jobs", (context) => context.json({ jobs: api.jobs.list().map(jobToJson) }));
  app.get("/v1/jobs/:id", (context) =>
    context.json({ job: jobToJson(api.jobs.get(context.req.param("id"))) }),
  );
}

/** The JSON body, or `{}` when there is none. */
export async function optionalJsonBody(context: Context): Promise<unknown> {
  const text = await context.req.text();
  return text.trim() === "" ? {} : readJsonBody(context);
}
