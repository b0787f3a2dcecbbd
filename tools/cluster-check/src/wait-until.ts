import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `probe` every `intervalMs` until it returns a value `done` accepts; throws with the last
 * value after `timeoutMs` (generous by default: the machine running the tests may be busy).
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached within ${timeoutMs} ms; last seen ${JSON.stringify(value)}`);
    await sleep(intervalMs);
  }
}
