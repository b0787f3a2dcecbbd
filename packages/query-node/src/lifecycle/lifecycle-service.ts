import {
  MiniodbError,
  type Lease,
  type LeaseFence,
  type MetadataStore,
  type TableEntry,
} from "@miniodb/core";
import type { TableCompactor } from "@miniodb/worker-node";
import { runCompaction, type CompactionSummary } from "./compaction-job.js";
import type { JobTracker, StartedJob } from "./job-tracker.js";
import type { ObjectJanitor } from "./object-janitor.js";
import { runRetention } from "./retention-job.js";

export interface LifecycleServiceOptions {
  readonly nodeId: string;
  readonly metadata: MetadataStore;
  readonly compactor: TableCompactor;
  readonly janitor: ObjectJanitor;
  readonly jobs: JobTracker;
  /** How often the scheduled jobs run; 0 = only on demand. */
  readonly intervalMs: number;
  /** Extra scheduled work after compaction and retention (e.g. due backups). */
  readonly onTick?: () => Promise<void>;
  readonly onError?: (error: unknown, job: string) => void;
  readonly now?: () => number;
}

const LEASE = "lifecycle";

interface RetentionCounts {
  readonly expired_files_removed: number;
  readonly expired_rows_removed: number;
}

/**
 * Compaction, retention and deletion of replaced objects: on a timer under the `lifecycle` lease
 * (one node in a cluster does the work), and on demand. Compaction and retention jobs of this
 * node run one at a time.
 *
 * The node that gets the lease keeps it: each of its ticks renews it (same token), so the other
 * nodes skip their ticks until it is released (at close) or expires (the holder died or could not
 * reach the metadata store for a whole TTL, see leaseTtlMs); the next tick of another node then
 * takes it with a new token, which fences off any late commit of the old holder.
 */
export class LifecycleService {
  readonly #options: LifecycleServiceOptions;
  #queue: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #lease: Lease | undefined;

  constructor(options: LifecycleServiceOptions) {
    this.#options = options;
  }

  get jobs(): JobTracker {
    return this.#options.jobs;
  }

  start(): void {
    if (this.#options.intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer, waits for running jobs and hands the lease back (another node takes over). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#ticking;
    await this.#queue.catch(() => undefined);
    const lease = this.#lease;
    this.#lease = undefined;
    if (lease) await this.#options.metadata.releaseLease(lease).catch(() => undefined);
  }

  /** The lease's time to live: three intervals, at least a minute. */
  get leaseTtlMs(): number {
    return Math.max(60_000, this.#options.intervalMs * 3);
  }

  /**
   * Removes expired files, then compacts, one table (not_found when absent) or every table. Under
   * a lease (`fence`), every manifest commit carries it and the job stops once the lease went to
   * another node.
   */
  async compact(
    table?: string,
    fence?: LeaseFence,
  ): Promise<StartedJob<CompactionSummary & RetentionCounts>> {
    const tables = await this.#tables(table);
    return this.#options.jobs.start("compaction", (report) =>
      this.#serial(async () => {
        const retention = await runRetention(this.#deps(), tables, () => undefined, fence);
        const compaction = await runCompaction(this.#deps(), tables, report, fence);
        return {
          ...compaction,
          expired_files_removed: retention.files_removed,
          expired_rows_removed: retention.rows_removed,
        };
      }),
    );
  }

  /** One scheduled round, if this node holds the lease: retention and compaction, sweep, extras. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    const { metadata, nodeId, onError } = this.#options;
    const lease = await metadata
      .acquireLease(LEASE, nodeId, new Date(this.#now()), this.leaseTtlMs)
      .catch((error: unknown) => {
        onError?.(error, "lease");
        return null;
      });
    // null: the store could not be asked (the lease, if held, stays until it expires).
    if (lease === null) return;
    this.#lease = lease;
    if (!lease) return;
    const steps: Array<[string, () => Promise<unknown>]> = [
      [
        "compaction",
        async () => (await this.compact(undefined, { name: lease.name, token: lease.token })).done,
      ],
      ["sweep", () => this.#serial(() => this.#options.janitor.sweep())],
      ["scheduled", () => this.#options.onTick?.() ?? Promise.resolve()],
    ];
    for (const [name, step] of steps) await step().catch((error: unknown) => onError?.(error, name));
  }

  async #tables(name: string | undefined): Promise<TableEntry[]> {
    if (name === undefined || name === "") return this.#options.metadata.listTables();
    const entry = await this.#options.metadata.getTable(name);
    if (!entry)
      throw new MiniodbError("not_found", `table ${name} does not exist`, { details: { table: name } });
    return [entry];
  }

  /** Runs jobs of this service one after the other. */
  #serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.catch(() => undefined).then(run);
    this.#queue = next;
    return next;
  }

  #deps() {
    const { metadata, compactor, janitor } = this.#options;
    return { metadata, compactor, janitor, now: () => this.#now() };
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }
}
