import { redisServerInstalled } from "./redis-server-process.js";

/** What to do when redis-server is missing. */
export const REDIS_MISSING_MESSAGE =
  "redis-server is not on PATH: the Redis MetadataStore tests cannot run. Install it with `apt-get install -y redis-server`.";

/**
 * Decides whether Redis-backed tests run. Returns `false` when they run; otherwise the skip
 * message for a developer machine, after shouting it on stderr. In CI (`ci` true) a missing
 * redis-server is an error, so a misconfigured CI image can never turn the suite green by skipping.
 */
export function redisTestSkip(ci: boolean): false | string {
  if (redisServerInstalled()) return false;
  if (ci) throw new Error(`${REDIS_MISSING_MESSAGE} (CI is set, so this fails instead of skipping)`);
  process.stderr.write(
    `\n${"!".repeat(100)}\n!!! SKIPPING: ${REDIS_MISSING_MESSAGE}\n${"!".repeat(100)}\n\n`,
  );
  return REDIS_MISSING_MESSAGE;
}
