import type { HybridClock } from "@miniodb/core";
import { isErrorCode, MiniodbError, type NodeEntry, type TableEntry } from "@miniodb/core";
import {
  encodeRowBlock,
  type BlockRow,
  type RecordError,
  type RecordInput,
  type WriteOptions,
  type WriteResult,
} from "@miniodb/worker-node";
import type { ClusterMembership } from "./cluster-membership.js";
import { RowPreparer } from "./routed-rows.js";
import type { WorkerClients } from "./worker-clients.js";
import { fromWorkerError, isReroutable } from "./worker-errors.js";

export interface ClusterWriterOptions {
  readonly nodeId: string;
  readonly membership: ClusterMembership;
  readonly clients: WorkerClients;
  /** Sequences this node has seen; every batch carries the highest as its floor. */
  readonly clock: HybridClock;
  /** How long a write keeps re-routing records whose worker refused or vanished. */
  readonly rerouteWindowMs: number;
}

interface Accepted {
  readonly index: number;
  readonly id: string;
}

/**
 * Writes records to the workers that own them: `hash(table, id)` → shard → worker on the ring,
 * one batch per worker, all sent at once. A batch a worker refuses because it no longer owns the
 * shard, is leaving, or cannot be reached is routed again on a refreshed ring (nothing of a
 * refused batch was written) until `rerouteWindowMs` has passed. A write is acknowledged when every
 * owner has fsynced its part in its WAL.
 */
export class ClusterWriter {
  readonly #options: ClusterWriterOptions;
  readonly #rows: RowPreparer;

  constructor(options: ClusterWriterOptions) {
    this.#options = options;
    this.#rows = new RowPreparer(options.nodeId);
  }

  async write(
    table: TableEntry,
    records: readonly RecordInput[],
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const partial = options.partial ?? false;
    const { rows, errors } = this.#rows.prepare(table, records, partial);
    const accepted: Accepted[] = [];
    const sequences: bigint[] = [];
    let pending = rows.flatMap((row, index) => (row ? [index] : []));
    const deadline = Date.now() + this.#options.rerouteWindowMs;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const groups = this.#groupByOwner(table.name, rows, pending);
      const outcomes = await Promise.allSettled(
        [...groups].map(([worker, indices]) =>
          this.#send(worker, table, rows, indices, partial, options.idempotencyKey, attempt),
        ),
      );
      const retry: number[] = [];
      let failure: MiniodbError | undefined;
      [...groups.values()].forEach((indices, group) => {
        const outcome = outcomes[group]!;
        if (outcome.status === "fulfilled") {
          accepted.push(...outcome.value.accepted);
          errors.push(...outcome.value.errors);
          sequences.push(...outcome.value.sequences);
        } else if (isReroutable(outcome.reason as MiniodbError)) {
          retry.push(...indices);
          failure ??= outcome.reason as MiniodbError;
        } else {
          throw outcome.reason;
        }
      });
      pending = retry;
      if (pending.length === 0) break;
      if (Date.now() >= deadline) {
        throw new MiniodbError(
          "unavailable",
          `${pending.length} records found no worker to take them: ${failure?.message}`,
          {
            cause: failure,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500)));
      await this.#options.membership.refresh();
    }
    accepted.sort((a, b) => a.index - b.index);
    errors.sort((a, b) => a.index - b.index);
    return {
      written: accepted.length,
      errors,
      ids: accepted.map((entry) => entry.id),
      ...sequenceRange(sequences),
    };
  }

  #groupByOwner(table: string, rows: ReadonlyArray<BlockRow | undefined>, indices: readonly number[]) {
    const ring = this.#options.membership.requireRing();
    const workers = new Map(this.#options.membership.workers.map((worker) => [worker.id, worker]));
    const groups = new Map<NodeEntry, number[]>();
    const ownerOf = ring.ownersOfRecords(table);
    for (const index of indices) {
      const owner = workers.get(ownerOf(rows[index]!.id ?? ""));
      if (!owner) throw new MiniodbError("unavailable", "the ring names a worker that is not registered");
      let group = groups.get(owner);
      if (!group) groups.set(owner, (group = []));
      group.push(index);
    }
    return groups;
  }

  async #send(
    worker: NodeEntry,
    table: TableEntry,
    rows: ReadonlyArray<BlockRow | undefined>,
    indices: readonly number[],
    partial: boolean,
    idempotencyKey: string | undefined,
    attempt: number,
  ) {
    const { clients, clock } = this.#options;
    // With every id known here (none left for the worker to generate), the worker need not send
    // them back: a worker keeps each id it is given as it is. Not for a keyed write: a retry
    // answered from the worker's stored result must report the ids of the first call, which may
    // differ from this call's (ids this node generated anew).
    const omitIds = idempotencyKey === undefined && indices.every((index) => rows[index]!.id !== "");
    let response;
    try {
      response = await clients.of(worker).writeBatch({
        table: table.name,
        rowBlock: encodeRowBlock(indices.map((index) => rows[index]!)),
        omitIds,
        partial,
        sequenceFloor: clock.last,
        ...(idempotencyKey ? { idempotencyKey: `${idempotencyKey}/${worker.id}/${attempt}` } : {}),
      });
    } catch (error) {
      throw fromWorkerError(error, worker);
    }
    if (Number(response.recordsWritten) + response.errors.length !== indices.length) {
      throw new MiniodbError(
        "internal",
        `worker ${worker.id} accounted for ${Number(response.recordsWritten) + response.errors.length} of ` +
          `${indices.length} records (a worker of an older release cannot read row blocks)`,
      );
    }
    if (response.recordsWritten > 0n) clock.observe(response.lastSequence);
    const rejected = new Set(response.errors.map((error) => error.index));
    const errors: RecordError[] = response.errors.map((error) => ({
      index: indices[error.index]!,
      code: isErrorCode(error.code) ? error.code : "internal",
      message: error.message,
    }));
    const written = indices.filter((_, position) => !rejected.has(position));
    const accepted = written.map((index, position) => ({
      index,
      id: omitIds ? rows[index]!.id : (response.ids[position] ?? ""),
    }));
    const sequences = response.recordsWritten > 0n ? [response.firstSequence, response.lastSequence] : [];
    return { accepted, errors, sequences };
  }
}

function sequenceRange(sequences: readonly bigint[]): { firstSequence?: bigint; lastSequence?: bigint } {
  if (sequences.length === 0) return {};
  let first = sequences[0]!;
  let last = sequences[0]!;
  for (const sequence of sequences) {
    if (sequence < first) first = sequence;
    if (sequence > last) last = sequence;
  }
  return { firstSequence: first, lastSequence: last };
}
