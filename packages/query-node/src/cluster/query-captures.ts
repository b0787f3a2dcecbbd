import type { WorkerCapture } from "./cluster-buffers.js";
import type { FragmentOutput } from "./fragment-dispatch.js";

/**
 * The workers' buffer captures of one query, by table. A table that more than one round of
 * fragments reads (a staged plan: the stages, then the outer statement) is read from the same
 * captures each time, so every round sees the same buffered rows: each read but the last asks the
 * workers to keep their capture, and the next read names the id they answered with.
 */
export class QueryCaptures {
  readonly #captures = new Map<string, readonly WorkerCapture[]>();
  readonly #reads = new Map<string, number>();

  constructor(
    snapshots: readonly {
      readonly table: { readonly name: string };
      readonly captured: readonly WorkerCapture[];
    }[],
  ) {
    for (const snapshot of snapshots)
      this.#captures.set(snapshot.table.name.toLowerCase(), snapshot.captured);
  }

  /** The reads of the query from now on, one entry per round of fragments reading a table; one each when not set. */
  expectReads(tables: readonly string[]): void {
    this.#reads.clear();
    for (const table of tables) {
      const key = table.toLowerCase();
      this.#reads.set(key, (this.#reads.get(key) ?? 0) + 1);
    }
  }

  /** The captures a round reads, and whether the workers are to keep them for a later round. */
  read(table: string): { captures: readonly WorkerCapture[]; keep: boolean } {
    const key = table.toLowerCase();
    const left = this.#reads.get(key) ?? 1;
    this.#reads.set(key, left - 1);
    return { captures: this.#captures.get(key) ?? [], keep: left > 1 };
  }

  /** Records the captures the workers kept in a round that asked them to (FragmentOutput.keptCapture). */
  kept(table: string, outputs: readonly FragmentOutput[]): void {
    const key = table.toLowerCase();
    const byWorker = new Map(
      outputs.flatMap((output) => (output.keptCapture ? [[output.worker, output.keptCapture] as const] : [])),
    );
    // A worker without a kept capture had none to keep (its part went to another worker).
    const next = (this.#captures.get(key) ?? []).map((capture): WorkerCapture => {
      const kept = byWorker.get(capture.worker.id);
      return kept ? { worker: capture.worker, captureId: kept.captureId, rowCount: kept.rowCount } : capture;
    });
    this.#captures.set(key, next);
  }
}
