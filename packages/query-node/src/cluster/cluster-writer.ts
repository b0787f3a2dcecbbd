import type { HybridClock, MetadataStore } from "@miniodb/core";
import { MiniodbError, type NodeEntry, type TableEntry } from "@miniodb/core";
import type { RecordError, RecordInput, WriteOptions, WriteResult } from "@miniodb/worker-node";
import type { RoutableLines } from "../decode/rest-batch.js";
import type { ClusterMembership } from "./cluster-membership.js";
import { KeyedWriteLog } from "./keyed-write-log.js";
import { PartSender, type PartOutcome } from "./part-sender.js";
import { BlockRows, LineRows, RowPreparer, type RowSet } from "./routed-rows.js";
import type { WorkerClients } from "./worker-clients.js";
import { isReroutable } from "./worker-errors.js";
import { groupByOwner, latestParts, type WritePart } from "./write-parts.js";

export interface ClusterWriterOptions {
  readonly nodeId: string;
  readonly metadata: MetadataStore;
  readonly membership: ClusterMembership;
  readonly clients: WorkerClients;
  /** Sequences this node has seen; every batch carries the highest as its floor. */
  readonly clock: HybridClock;
  /** How long a write keeps re-routing records whose worker refused or vanished. */
  readonly rerouteWindowMs: number;
  /** How long a keyed write's result (and its plan) is kept for its retries. */
  readonly idempotencyWindowMs: number;
}

type OwnerOf = (index: number) => string;

/**
 * Writes records to the workers that own them: `hash(table, id)` → shard → worker on the ring,
 * one batch (part) per worker, all sent at once. A part a worker refuses because it no longer owns
 * the shard, is leaving, or cannot be reached is routed again on a refreshed ring (nothing of a
 * refused part was written) until `rerouteWindowMs` has passed. A write is acknowledged when every
 * owner has fsynced its part in its WAL.
 *
 * A write with an idempotency key is applied once (see KeyedWriteLog): its generated ids and its
 * parts are logged before any worker is asked, every part carries a key of its own that its worker
 * stores the part's result under, and a retry (on any query node) reuses the ids and resends the
 * logged parts, which the workers answer from their stored results.
 */
export class ClusterWriter {
  readonly #options: ClusterWriterOptions;
  readonly #rows: RowPreparer;
  readonly #sender: PartSender;

  constructor(options: ClusterWriterOptions) {
    this.#options = options;
    this.#rows = new RowPreparer(options.nodeId);
    this.#sender = new PartSender(options.clients, options.clock);
  }

  async write(
    table: TableEntry,
    records: readonly RecordInput[],
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const partial = options.partial ?? false;
    const { idempotencyKey: key } = options;
    const { metadata, idempotencyWindowMs } = this.#options;
    const log = key === undefined ? undefined : new KeyedWriteLog(metadata, key, idempotencyWindowMs);
    const done = await log?.result();
    if (done) return done;
    const prepared = this.#rows.prepare(table, records, partial);
    const rows = new BlockRows(prepared.rows);
    const valid: number[] = [];
    for (let index = 0; index < rows.length; index++) if (rows.valid(index)) valid.push(index);
    const ownerOf = this.#ownerOf(table.name, rows);
    const parts = log
      ? await this.#begin(log, records, rows, valid, ownerOf)
      : [...groupByOwner(valid, ownerOf).values()].map((indices) => ({ indices }));
    const outcomes = await this.#sendAll(table, rows, parts, partial, log);
    const result = writeResultOf(outcomes, prepared.errors);
    // Every part's result is stored under its own key already: a retry after a failed store
    // rebuilds the same result from the log, so the store failing does not fail the write.
    return log ? log.finish(result).catch(() => result) : result;
  }

  /**
   * Writes a batch whose records its decoding already wrote as row-block lines (every one with an
   * id): routed and sent as `write` does, each part's block cut from the lines. Not for keyed
   * writes, whose plan is logged from the records.
   */
  async writeRowLines(
    table: TableEntry,
    lines: RoutableLines,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    if (options.idempotencyKey !== undefined)
      throw new MiniodbError("internal", "a keyed write is written from its records");
    const rows = new LineRows(lines);
    const all = Array.from({ length: rows.length }, (_, index) => index);
    const parts = [...groupByOwner(all, this.#ownerOf(table.name, rows)).values()].map((indices) => ({
      indices,
    }));
    const outcomes = await this.#sendAll(table, rows, parts, options.partial ?? false);
    return writeResultOf(outcomes, []);
  }

  /**
   * Logs the plan of a keyed write, or takes over an earlier call's: its generated ids replace
   * the ones generated here, and its parts are sent again as they were logged (only indices this
   * call has no part for are grouped anew, and logged before they are sent).
   */
  async #begin(
    log: KeyedWriteLog,
    records: readonly RecordInput[],
    rows: BlockRows,
    valid: number[],
    ownerOf: OwnerOf,
  ) {
    const generated = records.map((record, index) => (rows.valid(index) && !record.id ? rows.id(index) : ""));
    const initial = [...groupByOwner(valid, ownerOf).values()];
    const start = await log.begin(generated, initial);
    const keyed = (indices: readonly number[]): WritePart => ({ indices, key: log.partKey(indices) });
    if (!start.resumed) return initial.map(keyed);
    start.ids.forEach((id, index) => {
      if (id !== "" && rows.valid(index) && generated[index] !== "") rows.setId(index, id);
    });
    const isValid = new Set(valid);
    const logged = latestParts(start.entries, (index) => isValid.has(index));
    const covered = new Set(logged.flat());
    const fresh = [
      ...groupByOwner(
        valid.filter((index) => !covered.has(index)),
        ownerOf,
      ).values(),
    ];
    if (fresh.length > 0) await log.append(fresh);
    return [...logged, ...fresh].map(keyed);
  }

  async #sendAll(table: TableEntry, rows: RowSet, parts: WritePart[], partial: boolean, log?: KeyedWriteLog) {
    const outcomes: PartOutcome[] = [];
    let pending = parts;
    const deadline = Date.now() + this.#options.rerouteWindowMs;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const ownerOf = this.#ownerOf(table.name, rows);
      const sends = await this.#route(pending, ownerOf, outcomes, log);
      const settled = await Promise.allSettled(
        sends.map(({ worker, part }) => this.#sender.send(worker, table, rows, part, partial)),
      );
      const retry: WritePart[] = [];
      let failure: MiniodbError | undefined;
      settled.forEach((outcome, position) => {
        if (outcome.status === "fulfilled") {
          outcomes.push(outcome.value);
        } else if (isReroutable(outcome.reason as MiniodbError)) {
          retry.push(sends[position]!.part);
          failure ??= outcome.reason as MiniodbError;
        } else {
          throw outcome.reason;
        }
      });
      pending = retry;
      if (pending.length === 0) break;
      if (Date.now() >= deadline) {
        const count = pending.reduce((sum, part) => sum + part.indices.length, 0);
        throw new MiniodbError(
          "unavailable",
          `${count} records found no worker to take them: ${failure?.message}`,
          { cause: failure },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500)));
      await this.#options.membership.refresh();
    }
    return outcomes;
  }

  /**
   * The worker of each part on the current ring. A part whose records the ring now spreads over
   * several workers is split, one part per worker; a keyed part is first looked up (a worker that
   * wrote it stored its result), and its pieces are logged before they are sent.
   */
  async #route(parts: readonly WritePart[], ownerOf: OwnerOf, outcomes: PartOutcome[], log?: KeyedWriteLog) {
    const workers = new Map(this.#options.membership.workers.map((worker) => [worker.id, worker]));
    const sends: Array<{ worker: NodeEntry; part: WritePart }> = [];
    const pieces: number[][] = [];
    for (const part of parts) {
      const groups = groupByOwner(part.indices, ownerOf);
      if (groups.size === 1) {
        sends.push({ worker: requireWorker(workers, groups.keys().next().value!), part });
        continue;
      }
      const stored = await log?.partResult(part.indices);
      if (stored) outcomes.push(this.#sender.absorb(part.indices, stored));
      else pieces.push(...groups.values());
    }
    if (log && pieces.length > 0) await log.append(pieces);
    for (const indices of pieces) {
      const part = { indices, key: log?.partKey(indices) };
      sends.push({ worker: requireWorker(workers, ownerOf(indices[0]!)), part });
    }
    return sends;
  }

  #ownerOf(table: string, rows: RowSet): OwnerOf {
    const ownerOfId = this.#options.membership.requireRing().ownersOfRecords(table);
    return (index) => ownerOfId(rows.id(index));
  }
}

/** A write's result from its parts' outcomes and the errors of records that were not sent. */
function writeResultOf(outcomes: readonly PartOutcome[], unsent: readonly RecordError[]): WriteResult {
  const accepted = outcomes.flatMap((outcome) => outcome.accepted).sort((a, b) => a.index - b.index);
  const errors = [...unsent, ...outcomes.flatMap((outcome) => outcome.errors)].sort(
    (a, b) => a.index - b.index,
  );
  return {
    written: accepted.length,
    errors,
    ids: accepted.map((entry) => entry.id),
    ...sequenceRange(outcomes.flatMap((outcome) => outcome.sequences)),
  };
}

function requireWorker(workers: ReadonlyMap<string, NodeEntry>, id: string): NodeEntry {
  const worker = workers.get(id);
  if (!worker) throw new MiniodbError("unavailable", "the ring names a worker that is not registered");
  return worker;
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
