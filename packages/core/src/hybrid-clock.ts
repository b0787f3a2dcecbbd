/**
 * Hybrid logical clock for row sequence numbers.
 *
 * A sequence is `physicalMillis · 2²⁰ + counter`: it follows wall-clock time, is strictly
 * increasing on one node even when the wall clock stalls or steps back, and `observe` advances it
 * past any sequence seen elsewhere (another node's rows, a WAL replay), so the order of a record's
 * versions survives its shard moving between nodes. 2²⁰ values per millisecond; sequences fit in
 * 64 bits until the year 10889.
 */
export const COUNTER_BITS = 20n;
const COUNTER_LIMIT = 1n << COUNTER_BITS;

export class HybridClock {
  readonly #now: () => number;
  #last = 0n;

  /** `now` returns wall-clock epoch milliseconds. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The next sequence: greater than every sequence issued or observed before. */
  next(): bigint {
    const physical = BigInt(Math.floor(this.#now())) << COUNTER_BITS;
    this.#last = physical > this.#last ? physical : this.#last + 1n;
    return this.#last;
  }

  /** Reserves `count` consecutive sequences and returns the first. */
  nextRange(count: number): bigint {
    const first = this.next();
    this.#last = first + BigInt(Math.max(1, count)) - 1n;
    return first;
  }

  /** Advances the clock past `sequence`. */
  observe(sequence: bigint): void {
    if (sequence > this.#last) this.#last = sequence;
  }

  get last(): bigint {
    return this.#last;
  }
}

/** The wall-clock millisecond a sequence was issued at. */
export function sequenceMillis(sequence: bigint): number {
  return Number(sequence / COUNTER_LIMIT);
}
