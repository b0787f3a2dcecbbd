import type { MiniodbError } from "@miniodb/core";

/** How often and how patiently a failed request is repeated. */
export interface RetryPolicy {
  /** Attempts in total, the first included; 1 disables retries. */
  readonly maxAttempts: number;
  /** Upper bound of the first backoff; doubles on each further attempt. */
  readonly baseDelayMs: number;
  /** Upper bound of any single backoff. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 2_000 };

export interface RetryHooks {
  /** Waits between attempts; injected by tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for jitter; injected by tests. */
  readonly random?: () => number;
}

/**
 * Runs `operation` and repeats it while it fails with a retryable error, with exponential backoff
 * and full jitter (a random wait up to the doubled bound) so that many clients hitting a
 * restarting store do not retry in lockstep. Errors are translated first, so only the adapter's
 * error table decides what is retryable: a missing object or a denied request fails at once.
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  translate: (error: unknown) => MiniodbError,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  { sleep = delay, random = Math.random }: RetryHooks = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const translated = translate(error);
      if (!translated.retryable || attempt >= policy.maxAttempts) throw translated;
      const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.floor(random() * bound));
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
