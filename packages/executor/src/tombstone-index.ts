import type { DataFile, Tombstone } from "@miniodb/core";
import { compareIds, type ScanRange } from "./scan-range.js";

const INDEXES = new WeakMap<readonly Tombstone[], TombstoneIndex>();

/**
 * A table's tombstones sorted by id, answering which of them a query needs and which data files
 * they can touch: a tombstone hides rows of its id with a sequence at or below its own, so it
 * touches a file only when its id lies in the file's id range and its sequence reaches the file's
 * lowest sequence.
 */
export class TombstoneIndex {
  readonly #sorted: readonly Tombstone[];
  #hidden: Map<string, bigint> | undefined;

  constructor(tombstones: readonly Tombstone[]) {
    this.#sorted = [...tombstones].sort((a, b) => compareIds(a.id, b.id));
  }

  /**
   * The index of a table's whole list, built once per list: a metadata store answers with the same
   * frozen list while the tombstones are unchanged (MetadataStore.listTombstones).
   */
  static of(tombstones: readonly Tombstone[]): TombstoneIndex {
    if (!Object.isFrozen(tombstones)) return new TombstoneIndex(tombstones);
    let index = INDEXES.get(tombstones);
    if (!index) INDEXES.set(tombstones, (index = new TombstoneIndex(tombstones)));
    return index;
  }

  /** What the tombstones hide: the highest sequence of each id (computed once per index). */
  hidden(): ReadonlyMap<string, bigint> {
    if (!this.#hidden) {
      this.#hidden = new Map();
      for (const { id, sequence } of this.#sorted) {
        const known = this.#hidden.get(id);
        if (known === undefined || sequence > known) this.#hidden.set(id, sequence);
      }
    }
    return this.#hidden;
  }

  get size(): number {
    return this.#sorted.length;
  }

  /** The tombstones whose ids the range admits, as a new index. */
  within(range: ScanRange | undefined): TombstoneIndex {
    if (!range || (range.ids === undefined && range.idMin === undefined && range.idMax === undefined))
      return this;
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
