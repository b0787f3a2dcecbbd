import { MiniodbError } from "./miniodb-error.js";
import { fastRfc3339Micros } from "./rfc3339-fast-path.js";

/** RFC 3339 with a required zone; fraction up to nanoseconds (kept to microseconds). */
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
/** Timestamps outside years 1000–9999 are almost certainly unit mistakes. */
const MIN_MICROS = Date.UTC(1000, 0, 1) * 1000;
const MAX_MICROS = Date.UTC(9999, 11, 31, 23, 59, 59, 999) * 1000;

/** Parses an RFC 3339 timestamp to epoch microseconds; invalid_argument otherwise. */
export function parseTimestampMicros(text: string): number {
  const fast = fastRfc3339Micros(text);
  if (fast !== undefined) return checkTimestampMicros(fast);
  const match = RFC3339.exec(text);
  const millis = match ? Date.parse(`${match[1]}T${match[2]}${match[4]!.toUpperCase()}`) : Number.NaN;
  if (!match || Number.isNaN(millis)) {
    throw new MiniodbError(
      "invalid_argument",
      `invalid timestamp ${JSON.stringify(text.slice(0, 60))}: expected RFC 3339, e.g. 2026-01-02T15:04:05Z`,
      { details: { field: "timestamp" } },
    );
  }
  const micros = Number((match[3] ?? "").padEnd(6, "0").slice(0, 6) || "0");
  return checkTimestampMicros(millis * 1000 + micros);
}

/** Checks that epoch microseconds fall in the supported range (years 1000–9999). */
export function checkTimestampMicros(micros: number): number {
  if (!Number.isSafeInteger(micros) || micros < MIN_MICROS || micros > MAX_MICROS) {
    throw new MiniodbError("invalid_argument", `timestamp ${micros} µs is outside years 1000–9999`, {
      details: { field: "timestamp" },
    });
  }
  return micros;
}

/** Formats epoch microseconds as RFC 3339 UTC with microseconds when there are any. */
export function formatTimestampMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const iso = new Date(millis).toISOString();
  const extra = micros - millis * 1000;
  return extra === 0 ? iso : `${iso.slice(0, -1)}${String(extra).padStart(3, "0")}Z`;
}
