import { retentionCutoff, type LeaseFence, type MetadataStore, type TableEntry } from "@miniodb/core";
import type { CompactionOutcome, TableCompactor } from "@miniodb/worker-node";
import type { ProgressReporter } from "./job-tracker.js";
import type { ObjectJanitor } from "./object-janitor.js";

/** What a compaction job did, summed over its tables. */
export interface CompactionSummary {
  readonly tables: number;
  readonly files_before: number;
  readonly files_after: number;
  readonly files_rewritten: number;
  readonly rows_before: number;
  readonly rows_after: number;
  readonly tombstones_retired: number;
  readonly bins_skipped: number;
}

/**
 * Compacts `tables` one after the other (expired rows are dropped on the way) and hands the
 * replaced objects to the janitor, which deletes them after the grace period. Under a lease
 * (`fence`) every commit carries it and a lost lease stops the job.
 */
export async function runCompaction(
  deps: { metadata: MetadataStore; compactor: TableCompactor; janitor: ObjectJanitor; now: () => number },
  tables: readonly TableEntry[],
  report: ProgressReporter,
  fence?: LeaseFence,
): Promise<CompactionSummary> {
  const outcomes: CompactionOutcome[] = [];
  report({ tables_done: 0, tables_total: tables.length });
  for (const table of tables) {
    const outcome = await deps.compactor.compact(table, {
      minTimestamp: retentionCutoff(table.config, deps.now()),
      fence,
      onProgress: ({ binsDone, binsTotal }) => report({ bins_done: binsDone, bins_total: binsTotal }),
    });
    deps.janitor.retired(outcome.replacedKeys);
    outcomes.push(outcome);
    report({ tables_done: outcomes.length });
  }
  const sum = (pick: (outcome: CompactionOutcome) => number) =>
    outcomes.reduce((total, outcome) => total + pick(outcome), 0);
  return {
    tables: outcomes.length,
    files_before: sum((o) => o.filesBefore),
    files_after: sum((o) => o.filesAfter),
    files_rewritten: sum((o) => o.filesRewritten),
    rows_before: sum((o) => o.rowsBefore),
    rows_after: sum((o) => o.rowsAfter),
    tombstones_retired: sum((o) => o.tombstonesRetired),
    bins_skipped: sum((o) => o.binsSkipped),
  };
}
