import { randomUUID } from "node:crypto";
import { MiniodbError } from "@miniodb/core";

export type JobKind = "compaction" | "backup" | "restore-metadata" | "restore-data" | "repair-primary";
export type JobState = "running" | "succeeded" | "failed";

/** A long job as status and the job routes show it. */
export interface JobView {
  readonly id: string;
  readonly kind: JobKind;
  readonly state: JobState;
  readonly startedAt: Date;
  readonly finishedAt?: Date | undefined;
  /** Counters the job updates as it goes (e.g. tables_done, tables_total). */
  readonly progress: Readonly<Record<string, number>>;
  readonly result?: unknown;
  readonly error?: string | undefined;
}

/** Reports progress from inside a running job. */
export type ProgressReporter = (progress: Record<string, number>) => void;

/** A started job: its id at once, its outcome when it ends. */
export interface StartedJob<T> {
  readonly id: string;
  readonly done: Promise<T>;
}

interface JobRecord {
  id: string;
  kind: JobKind;
  state: JobState;
  startedAt: Date;
  finishedAt?: Date;
  progress: Record<string, number>;
  result?: unknown;
  error?: string;
}

/**
 * The node's long jobs (compaction, retention, backup, restores): each gets an id, reports
 * progress and keeps its last result. The most recent `keep` finished jobs are remembered.
 */
export class JobTracker {
  readonly #jobs = new Map<string, JobRecord>();
  readonly #keep: number;
  readonly #now: () => Date;

  readonly #onFinish: ((job: JobView) => void) | undefined;

  /** `onFinish` sees every job as it ends (metrics), after its record has its outcome. */
  constructor(options: { keep?: number; now?: () => Date; onFinish?: (job: JobView) => void } = {}) {
    this.#keep = options.keep ?? 100;
    this.#now = options.now ?? (() => new Date());
    this.#onFinish = options.onFinish;
  }

  /** Starts `run` as a job of `kind`. The returned promise rejects as the job fails. */
  start<T>(kind: JobKind, run: (report: ProgressReporter) => Promise<T>): StartedJob<T> {
    const record: JobRecord = {
      id: randomUUID(),
      kind,
      state: "running",
      startedAt: this.#now(),
      progress: {},
    };
    this.#jobs.set(record.id, record);
    const done = (async () => {
      try {
        const result = await run((progress) => Object.assign(record.progress, progress));
        record.result = result;
        record.state = "succeeded";
        return result;
      } catch (error) {
        record.state = "failed";
        record.error = error instanceof Error ? error.message : String(error);
        throw error;
      } finally {
        record.finishedAt = this.#now();
        this.#forgetOld();
        this.#onFinish?.(view(record));
      }
    })();
    // Callers that do not wait must not see an unhandled rejection; the job keeps the error.
    done.catch(() => undefined);
    return { id: record.id, done };
  }

  get(id: string): JobView {
    const job = this.#jobs.get(id);
    if (!job) throw new MiniodbError("not_found", `no job ${JSON.stringify(id)} on this node`);
    return view(job);
  }

  /** Jobs newest first, optionally of one kind. */
  list(kind?: JobKind): JobView[] {
    return [...this.#jobs.values()]
      .filter((job) => kind === undefined || job.kind === kind)
      .reverse()
      .map(view);
  }

  /** The running job of `kind`, if any. */
  running(kind: JobKind): JobView | undefined {
    return this.list(kind).find((job) => job.state === "running");
  }

  /** The last finished job of `kind`, if any. */
  lastFinished(kind: JobKind): JobView | undefined {
    return this.list(kind).find((job) => job.state !== "running");
  }

  #forgetOld(): void {
    const finished = [...this.#jobs.values()].filter((job) => job.state !== "running");
    for (const job of finished.slice(0, Math.max(0, finished.length - this.#keep))) this.#jobs.delete(job.id);
  }
}

function view(job: JobRecord): JobView {
  return { ...job, progress: { ...job.progress } };
}
