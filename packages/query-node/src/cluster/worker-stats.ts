import type { NodeEntry } from "@miniodb/core";
import type { ClusterMembership } from "./cluster-membership.js";
import type { WorkerClients } from "./worker-clients.js";

/** What one worker last reported about itself (GetStats). */
export interface WorkerReport {
  readonly bufferedRows: number;
  readonly bufferedBytes: number;
  /** Shards the worker owns at the ring epoch it serves. */
  readonly ownedShards: number;
  readonly walBytes: number;
  /** Why the last GetStats failed, if it did (then the other numbers are zero). */
  readonly error?: string;
}

interface TableShare {
  readonly rows: number;
  readonly bytes: number;
}

/**
 * The unflushed rows of the cluster as a query node sees them: every live worker's GetStats,
 * re-read by `refresh` (before each status report or scrape). A worker that does not answer
 * counts zero rows and is reported with its error.
 */
export class WorkerStats {
  readonly #membership: ClusterMembership;
  readonly #clients: WorkerClients;
  readonly #timeoutMs: number;
  #tables = new Map<string, TableShare>();
  #workers = new Map<string, WorkerReport>();

  constructor(membership: ClusterMembership, clients: WorkerClients, timeoutMs: number) {
    this.#membership = membership;
    this.#clients = clients;
    this.#timeoutMs = timeoutMs;
  }

  async refresh(): Promise<void> {
    const workers = await this.#membership.refresh().catch(() => this.#membership.workers);
    const answers = await Promise.allSettled(
      workers.map((worker) => this.#clients.of(worker).getStats({}, { timeoutMs: this.#timeoutMs })),
    );
    const tables = new Map<string, TableShare>();
    const reports = new Map<string, WorkerReport>();
    answers.forEach((answer, index) => {
      const worker = workers[index]!;
      if (answer.status === "rejected") {
        const error = answer.reason instanceof Error ? answer.reason.message : String(answer.reason);
        reports.set(worker.id, { bufferedRows: 0, bufferedBytes: 0, ownedShards: 0, walBytes: 0, error });
        return;
      }
      const stats = answer.value;
      let rows = 0;
      let bytes = 0;
      for (const [table, count] of Object.entries(stats.bufferedRows)) {
        const tableBytes = Number(stats.bufferedBytes[table] ?? 0n);
        const share = tables.get(table) ?? { rows: 0, bytes: 0 };
        tables.set(table, { rows: share.rows + Number(count), bytes: share.bytes + tableBytes });
        rows += Number(count);
        bytes += tableBytes;
      }
      reports.set(worker.id, {
        bufferedRows: rows,
        bufferedBytes: bytes,
        ownedShards: stats.ownedShards.length,
        walBytes: Number(stats.walBytes),
      });
    });
    this.#tables = tables;
    this.#workers = reports;
  }

  tableNames(): string[] {
    return [...this.#tables.keys()];
  }

  tableStats(table: string) {
    const share = this.#tables.get(table);
    return {
      unflushedRows: share?.rows ?? 0,
      bufferedBytes: share?.bytes ?? 0,
      oldestUnflushedMs: undefined,
    };
  }

  /** The last report of `worker`, if it was asked. */
  of(worker: NodeEntry | string): WorkerReport | undefined {
    return this.#workers.get(typeof worker === "string" ? worker : worker.id);
  }
}
