import type { HybridClock } from "@miniodb/core";
import { isErrorCode, MiniodbError, type NodeEntry, type TableEntry } from "@miniodb/core";
import type { RecordError, WriteResult } from "@miniodb/worker-node";
import type { RowSet } from "./routed-rows.js";
import type { WorkerClients } from "./worker-clients.js";
import { fromWorkerError } from "./worker-errors.js";
import type { WritePart } from "./write-parts.js";

/** What one part came to, by the indices of the whole write. */
export interface PartOutcome {
  readonly accepted: ReadonlyArray<{ readonly index: number; readonly id: string }>;
  readonly errors: readonly RecordError[];
  readonly sequences: readonly bigint[];
}

/** Sends parts of a write to their workers, one WriteBatch each. */
export class PartSender {
  readonly #clients: WorkerClients;
  readonly #clock: HybridClock;

  constructor(clients: WorkerClients, clock: HybridClock) {
    this.#clients = clients;
    this.#clock = clock;
  }

  async send(
    worker: NodeEntry,
    table: TableEntry,
    rows: RowSet,
    part: WritePart,
    partial: boolean,
  ): Promise<PartOutcome> {
    const { indices, key } = part;
    // With every id known here (none left for the worker to generate), the worker need not send
    // them back: a worker keeps each id it is given as it is. Not for a keyed part: a part
    // answered from its stored result reports the ids it was written with.
    const omitIds = key === undefined && indices.every((index) => rows.id(index) !== "");
    let response;
    try {
      response = await this.#clients.of(worker).writeBatch({
        table: table.name,
        rowBlock: rows.block(indices),
        omitIds,
        partial,
        sequenceFloor: this.#clock.last,
        ...(key === undefined ? {} : { idempotencyKey: key }),
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
    return this.absorb(
      indices,
      {
        written: Number(response.recordsWritten),
        errors: response.errors.map((error) => ({
          index: error.index,
          code: isErrorCode(error.code) ? error.code : "internal",
          message: error.message,
        })),
        ids: response.ids,
        firstSequence: response.firstSequence,
        lastSequence: response.lastSequence,
      },
      omitIds ? rows : undefined,
    );
  }

  /**
   * A part's result (indices relative to the part) by the indices of the whole write. Without
   * ids in the result, the ids are the rows' own (`rows`).
   */
  absorb(indices: readonly number[], result: WriteResult, rows?: RowSet): PartOutcome {
    if (result.written > 0 && result.lastSequence !== undefined) this.#clock.observe(result.lastSequence);
    const rejected = new Set(result.errors.map((error) => error.index));
    const errors: RecordError[] = result.errors.map((error) => ({ ...error, index: indices[error.index]! }));
    const written = indices.filter((_, position) => !rejected.has(position));
    const accepted = written.map((index, position) => ({
      index,
      id: rows ? rows.id(index) : (result.ids[position] ?? ""),
    }));
    const sequences =
      result.written > 0 && result.firstSequence !== undefined && result.lastSequence !== undefined
        ? [result.firstSequence, result.lastSequence]
        : [];
    return { accepted, errors, sequences };
  }
}
