import type { JobTracker, JobView, StartedJob } from "./job-tracker.js";
import type { LifecycleService } from "./lifecycle-service.js";

/** What the API edge calls for the data lifecycle. */
export interface LifecycleApi {
  readonly lifecycle: LifecycleService;
  readonly jobs: JobTracker;
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
