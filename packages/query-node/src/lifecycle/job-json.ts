import type { JobView } from "./job-tracker.js";

/** JSON.stringify that writes bigints as numbers when safe, else as decimal strings. */
export function stringifyResult(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, item: unknown) =>
    typeof item === "bigint" ? (Number.isSafeInteger(Number(item)) ? Number(item) : item.toString()) : item,
  );
}

/** A job as REST returns it (snake_case). */
export function jobToJson(job: JobView) {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    started_at: job.startedAt.toISOString(),
    finished_at: job.finishedAt?.toISOString(),
    progress: job.progress,
    result: job.result === undefined ? undefined : (JSON.parse(stringifyResult(job.result)) as unknown),
    error: job.error,
  };
}
