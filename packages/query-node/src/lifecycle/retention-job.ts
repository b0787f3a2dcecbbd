import { retentionCutoff, type LeaseFence, type MetadataStore, type TableEntry } from "@miniodb/core";
import type { ProgressReporter } from "./job-tracker.js";
import type { ObjectJanitor } from "./object-janitor.js";

export interface RetentionSummary {
  readonly tables: number;
  readonly files_removed: number;
  readonly rows_removed: number;
}

/**
 * Removes from each table's manifest the files whose every row is older than its retention window
 * (whole expired day partitions, in practice); the janitor deletes the objects after the grace
 * period. Rows of a partly expired file are already hidden from queries and dropped by the next
 * compaction of that file. Under a lease (`fence`) each commit carries it (see ManifestChange).
 */
export async function runRetention(
  deps: { metadata: MetadataStore; janitor: ObjectJanitor; now: () => number },
  tables: readonly TableEntry[],
  report: ProgressReporter,
  fence?: LeaseFence,
): Promise<RetentionSummary> {
  let filesRemoved = 0;
  let rowsRemoved = 0;
  let done = 0;
  for (const table of tables) {
    const cutoff = retentionCutoff(table.config, deps.now());
    if (cutoff !== undefined) {
      const manifest = await deps.metadata.getManifest(table.name);
      const expired = manifest.files.filter((file) => file.maxTimestamp < cutoff);
      if (expired.length > 0) {
        const keys = expired.map((file) => file.key);
        // Without an expected version: a key another job removed meanwhile is simply ignored.
        await deps.metadata.commitManifest(table.name, { remove: keys, ...(fence ? { fence } : {}) });
        deps.janitor.retired(keys);
        filesRemoved += expired.length;
        rowsRemoved += expired.reduce((sum, file) => sum + file.rowCount, 0);
      }
    }
    report({ tables_done: ++done, tables_total: tables.length });
  }
  return { tables: tables.length, files_removed: filesRemoved, rows_removed: rowsRemoved };
}
