import type { DataFile, Tombstone } from "@miniodb/core";
import { compareIds, type ScanRange } from "./scan-range.js";

/**
 * A table's tombstones sorted by id, answering which of them a query needs and which data files
 * they can touch: a tombstone hides rows of its id with a sequence at or below its own, so it
 * touches a file only when its id lies in the file's id range and its sequence reaches the file's
 * lowest sequence.
 */
export class TombstoneIndex {
  readonly #sorted: readonly Tombstone[];

  constructor(tombstones: readonly Tombstone[]) {
    this.#sorted = [...tombstones].sort((a, b) => compareIds(a.id, b.id));
  }

  get size(): number {
    return this.#sorted.length;
  }

  /** The tombstones whose ids the range admits, as a new index. */
  within(range: ScanRange | undefined): TombstoneIndex {
    if (!range) return this;
    const wanted = range.ids && new Set(range.ids);
    return new TombstoneIndex(
      this.#sorted.filter(
        (tombstone) =>
          (!wanted || wanted.has(tombstone.id)) &&
          (range.idMin === undefined || compareIds(tombstone.id, range.idMin) >= 0) &&
          (range.idMax === undefined || compareIds(tombstone.id, range.idMax) <= 0),
      ),
    );
  }

  /** Whether any tombstone may hide a row of the file. */
  touches(file: DataFile): boolean {
    for (let index = this.#firstAtOrAbove(file.minId); index < this.#sorted.length; index++) {
      const tombstone = this.#sorted[index]!;
      if (compareIds(tombstone.id, file.maxId) > 0) return false;
      if (tombstone.sequence >= file.minSequence) return true;
    }
    return false;
  }

  entries(): readonly Tombstone[] {
    return this.#sorted;
  }

  #firstAtOrAbove(id: string): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compareIds(this.#sorted[middle]!.id, id) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
