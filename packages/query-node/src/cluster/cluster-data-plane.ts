import { HybridClock, type MetadataStore, type NodeEntry, type TableEntry } from "@miniodb/core";
import type { Tracer } from "@opentelemetry/api";
import type { RecordInput, TableBufferStats, WriteOptions, WriteResult } from "@miniodb/worker-node";
import type { RoutableLines } from "../decode/rest-batch.js";
import type { DataPlane } from "../services/data-plane.js";
import type { BufferCapture } from "../services/query-sources.js";
import { captureClusterBuffer } from "./cluster-buffers.js";
import type { ClusterMembership } from "./cluster-membership.js";
import { ClusterQueryScatter } from "./cluster-query-scatter.js";
import { ClusterWriter } from "./cluster-writer.js";
import type { WorkerClients } from "./worker-clients.js";
import { fromWorkerError } from "./worker-errors.js";

export interface ClusterDataPlaneOptions {
  readonly nodeId: string;
  readonly metadata: MetadataStore;
  readonly membership: ClusterMembership;
  readonly clients: WorkerClients;
  /** How long a write keeps re-routing records whose worker refused or vanished. */
  readonly rerouteWindowMs: number;
  /** How long a keyed write's result is kept for its retries (worker.idempotency_window_seconds). */
  readonly idempotencyWindowMs: number;
  /** Largest fragment result (rows × columns) a worker sends inline (cluster.inline_result_cells). */
  readonly inlineResultCells: number;
  /** Records the phases of distributed queries as spans. */
  readonly tracer?: Tracer | undefined;
}

/** A query node's data plane: the workers of the cluster, reached over their internal API. */
export class ClusterDataPlane implements DataPlane {
  readonly #options: ClusterDataPlaneOptions;
  readonly #clock = new HybridClock();
  readonly #writer: ClusterWriter;
  /** Queries scan on the workers: each reads its share of the files and its own buffer. */
  readonly scatter: ClusterQueryScatter;

  constructor(options: ClusterDataPlaneOptions) {
    this.#options = options;
    this.#writer = new ClusterWriter({ ...options, clock: this.#clock });
    this.scatter = new ClusterQueryScatter(options);
  }

  write(table: TableEntry, records: readonly RecordInput[], options?: WriteOptions): Promise<WriteResult> {
    return this.#writer.write(table, records, options);
  }

  writeRowLines(table: TableEntry, lines: RoutableLines, options?: WriteOptions): Promise<WriteResult> {
    return this.#writer.writeRowLines(table, lines, options);
  }

  captureBuffer(table: TableEntry): Promise<BufferCapture> {
    return captureClusterBuffer(this.#options.membership, this.#options.clients, table);
  }

  async tableStats(table: string): Promise<TableBufferStats> {
    const all = await this.#onEveryWorker((client) => client.tableStats({ table }));
    let unflushedRows = 0;
    let bufferedBytes = 0;
    let lastWriteMs: number | undefined;
    let range: { min: number; max: number } | undefined;
    let oldestUnflushedMs: number | undefined;
    for (const stats of all) {
      if (stats.oldestUnflushedMs !== undefined) {
        const oldest = Number(stats.oldestUnflushedMs);
        oldestUnflushedMs = Math.min(oldestUnflushedMs ?? oldest, oldest);
      }
      unflushedRows += Number(stats.unflushedRows);
      bufferedBytes += Number(stats.bufferedBytes);
      if (stats.lastWriteMs > 0n) lastWriteMs = Math.max(lastWriteMs ?? 0, Number(stats.lastWriteMs));
      if (stats.minTimestampMicros !== undefined && stats.maxTimestampMicros !== undefined) {
        const min = Number(stats.minTimestampMicros);
        const max = Number(stats.maxTimestampMicros);
        range = range ? { min: Math.min(range.min, min), max: Math.max(range.max, max) } : { min, max };
      }
    }
    return { unflushedRows, bufferedBytes, lastWriteMs, unflushedTimeRange: range, oldestUnflushedMs };
  }

  async dropTable(name: string): Promise<void> {
    await this.#onEveryWorker((client) => client.dropTable({ table: name }));
  }

  /**
   * Reserves a sequence on the owner of each id's shard (its later rows of those ids are higher)
   * and returns the highest; owners that answered lower are advanced past it, so a record written
   * again right after its delete is never hidden by the tombstone.
   */
  async nextSequence(table: string, ids: readonly string[]): Promise<bigint> {
    const { membership, clients } = this.#options;
    const ring = membership.requireRing();
    const byId = new Map(membership.workers.map((worker) => [worker.id, worker]));
    const owners = [...new Set(ids.map((id) => ring.ownerOfRecord(table, id)))].flatMap((id) => {
      const worker = byId.get(id);
      return worker ? [worker] : [];
    });
    const reserve = (worker: NodeEntry, floor: bigint) =>
      clients
        .of(worker)
        .reserveSequence({ floor })
        .then(
          (response) => response.sequence,
          (error: unknown) => Promise.reject(fromWorkerError(error, worker)),
        );
    const floor = this.#clock.next();
    const sequences = await Promise.all(owners.map((worker) => reserve(worker, floor)));
    const highest = sequences.reduce((max, sequence) => (sequence > max ? sequence : max), floor);
    await Promise.all(
      owners.filter((_, index) => sequences[index]! < highest).map((worker) => reserve(worker, highest)),
    );
    this.#clock.observe(highest);
    return highest;
  }

  async #onEveryWorker<T>(call: (client: ReturnType<WorkerClients["of"]>) => Promise<T>): Promise<T[]> {
    const workers = await this.#options.membership.refresh();
    return Promise.all(
      workers.map((worker) =>
        call(this.#options.clients.of(worker)).catch((error: unknown) =>
          Promise.reject(fromWorkerError(error, worker)),
        ),
      ),
    );
  }
}
