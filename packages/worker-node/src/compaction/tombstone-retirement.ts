import type { DataFile, Tombstone } from "@miniodb/core";
import { compareIds } from "@miniodb/executor";

/** A row's id and sequence. */
export interface RowRef {
  readonly id: string;
  readonly sequence: bigint;
}

/**
 * The hard tombstones a compaction may retire: those that can no longer hide any row. `applied`
 * were applied to every file in `rewritten` (those files hold no row they hide). Any other file of
 * `files` whose id range holds the tombstone's id and whose lowest sequence is at or below the
 * tombstone's may still hold a hidden row (stats cannot tell), and so may a row not yet flushed:
 * such tombstones stay. So do those at or above `walFloor`, the lowest WAL mark of the workers
 * whose buffers were not captured (a crashed worker's WAL may hold a row they hide, which comes
 * back when it restarts).
 */
export function retirableTombstones(
  applied: readonly Tombstone[],
  files: readonly DataFile[],
  rewritten: ReadonlySet<string>,
  unflushed: Iterable<RowRef>,
  walFloor?: bigint,
): RowRef[] {
  const sorted = applied.filter((tombstone) => !tombstone.soft).sort((a, b) => compareIds(a.id, b.id));
  const kept = new Set<Tombstone>(
    walFloor === undefined ? [] : sorted.filter((tombstone) => tombstone.sequence >= walFloor),
  );
  for (const file of files) {
    if (rewritten.has(file.key)) continue;
    for (let index = firstAtOrAbove(sorted, file.minId); index < sorted.length; index++) {
      const tombstone = sorted[index]!;
      if (compareIds(tombstone.id, file.maxId) > 0) break;
      if (tombstone.sequence >= file.minSequence) kept.add(tombstone);
    }
  }
  const byId = new Map(sorted.map((tombstone) => [tombstone.id, tombstone]));
  for (const row of unflushed) {
    const tombstone = byId.get(row.id);
    if (tombstone && tombstone.sequence >= row.sequence) kept.add(tombstone);
  }
  return sorted
    .filter((tombstone) => !kept.has(tombstone))
    .map((tombstone) => ({ id: tombstone.id, sequence: tombstone.sequence }));
}

function firstAtOrAbove(sorted: readonly Tombstone[], id: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (compareIds(sorted[middle]!.id, id) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
