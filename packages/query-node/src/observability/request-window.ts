/** Outcomes of one kind of request within the window. */
export interface OutcomeCounts {
  readonly success: number;
  readonly error: number;
}

export interface LatencyPercentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

interface Bucket {
  readonly startMs: number;
  readonly byKey: Map<string, { success: number; error: number }>;
}

export interface RequestWindowOptions {
  /** How far back success rates look. Default 5 minutes. */
  readonly windowMs?: number;
  /** Width of one bucket of the window. Default 10 s. */
  readonly bucketMs?: number;
  /** Latest durations kept per method for percentiles. Default 2048. */
  readonly latencySamples?: number;
  readonly now?: () => number;
}

/**
 * Recent request outcomes by key (e.g. `query|orders`) in time buckets, and the latest durations
 * by method, for success rates and latency percentiles over the last few minutes (what an operator
 * asks about a node now, unlike the cumulative counters).
 */
export class RequestWindow {
  readonly #windowMs: number;
  readonly #bucketMs: number;
  readonly #samples: number;
  readonly #now: () => number;
  readonly #buckets: Bucket[] = [];
  readonly #latencies = new Map<string, { values: number[]; next: number }>();

  constructor({
    windowMs = 300_000,
    bucketMs = 10_000,
    latencySamples = 2048,
    now = Date.now,
  }: RequestWindowOptions = {}) {
    this.#windowMs = windowMs;
    this.#bucketMs = bucketMs;
    this.#samples = latencySamples;
    this.#now = now;
  }

  record(keys: readonly string[], success: boolean, method: string, seconds: number): void {
    const bucket = this.#current();
    for (const key of keys) {
      const counts = bucket.byKey.get(key) ?? { success: 0, error: 0 };
      if (success) counts.success++;
      else counts.error++;
      bucket.byKey.set(key, counts);
    }
    const ring = this.#latencies.get(method) ?? { values: [], next: 0 };
    if (ring.values.length < this.#samples) ring.values.push(seconds);
    else ring.values[ring.next] = seconds;
    ring.next = (ring.next + 1) % this.#samples;
    this.#latencies.set(method, ring);
  }

  /** Outcomes per key within the window. */
  outcomes(): Map<string, OutcomeCounts> {
    this.#prune();
    const totals = new Map<string, { success: number; error: number }>();
    for (const bucket of this.#buckets)
      for (const [key, counts] of bucket.byKey) {
        const total = totals.get(key) ?? { success: 0, error: 0 };
        total.success += counts.success;
        total.error += counts.error;
        totals.set(key, total);
      }
    return totals;
  }

  /** Percentiles of the latest durations (seconds) of `method`, or of every method when omitted. */
  latency(method?: string): LatencyPercentiles {
    const rings = method === undefined ? [...this.#latencies.values()] : [this.#latencies.get(method)];
    const values = rings.flatMap((ring) => ring?.values ?? []).sort((a, b) => a - b);
    const at = (q: number) =>
      values.length === 0 ? 0 : values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
    return { count: values.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: values.at(-1) ?? 0 };
  }

  #current(): Bucket {
    const startMs = Math.floor(this.#now() / this.#bucketMs) * this.#bucketMs;
    const last = this.#buckets.at(-1);
    if (last && last.startMs === startMs) return last;
    const bucket = { startMs, byKey: new Map() };
    this.#buckets.push(bucket);
    this.#prune();
    return bucket;
  }

  #prune(): void {
    const oldest = this.#now() - this.#windowMs;
    while (this.#buckets.length > 0 && this.#buckets[0]!.startMs + this.#bucketMs <= oldest)
      this.#buckets.shift();
  }
}

/** success / (success + error); 1 when nothing happened (no evidence of trouble). */
export function successRate(counts: OutcomeCounts | undefined): number {
  const total = (counts?.success ?? 0) + (counts?.error ?? 0);
  return total === 0 ? 1 : counts!.success / total;
}
