import { MiniodbError } from "@miniodb/core";

export interface RateLimiterOptions {
  /** Tokens added per second; 0 disables the limiter. */
  readonly ratePerSecond: number;
  /** Bucket size: requests allowed at once after an idle period. */
  readonly burst: number;
  readonly now?: () => number;
  /** Buckets kept at most; the least recently used go first (they are full again by then, mostly). */
  readonly maxBuckets?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * One token bucket per caller (API key id), in this node's memory: each request takes a token,
 * tokens refill at `ratePerSecond` up to `burst`. An empty bucket answers resource_exhausted with
 * the seconds until the next token in `details.retry_after_seconds`.
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #maxBuckets: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor({
    ratePerSecond,
    burst,
    now = () => performance.now(),
    maxBuckets = 10_000,
  }: RateLimiterOptions) {
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#now = now;
    this.#maxBuckets = maxBuckets;
  }

  /** Takes one token for `caller` or throws resource_exhausted. */
  take(caller: string): void {
    if (this.#rate <= 0) return;
    const now = this.#now();
    const bucket = this.#buckets.get(caller) ?? { tokens: this.#burst, updatedMs: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.updatedMs) / 1000) * this.#rate);
    bucket.updatedMs = now;
    this.#buckets.delete(caller);
    this.#buckets.set(caller, bucket);
    if (this.#buckets.size > this.#maxBuckets) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate));
      throw new MiniodbError(
        "resource_exhausted",
        `rate limit of ${this.#rate} requests per second exceeded for ${caller}; retry in ${retryAfter} s`,
        { details: { limit: "auth.rate_limit", retry_after_seconds: String(retryAfter) } },
      );
    }
    bucket.tokens -= 1;
  }
}
