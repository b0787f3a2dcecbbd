import { encodeWalBatch } from "../ingest/wal-batch.js";
import type { WorkerWal } from "../worker-types.js";

/**
 * The table incarnations (name and creation time) this worker dropped for DeleteTable. A drop
 * marker in the WAL records each one, so replay skips the rows logged before it, and a flush that
 * fails because its table is gone can tell a drop (forget the rows) from a lost table (park them).
 */
export class DroppedTables {
  readonly #dropped = new Map<string, Set<number>>();

  /** Marks the incarnation dropped and logs its drop marker; returns the marker's LSN. */
  async drop(wal: WorkerWal, name: string, createdAtMs: number): Promise<bigint> {
    this.mark(name, createdAtMs);
    return wal.append(
      encodeWalBatch({ table: name, tableCreatedAtMs: createdAtMs, lines: [], dropped: true }),
    );
  }

  mark(name: string, createdAtMs: number): void {
    let dropped = this.#dropped.get(name);
    if (!dropped) this.#dropped.set(name, (dropped = new Set()));
    dropped.add(createdAtMs);
  }

  has(name: string, createdAtMs: number): boolean {
    return this.#dropped.get(name)?.has(createdAtMs) ?? false;
  }
}
