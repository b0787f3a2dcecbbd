import type { ByteRange } from "@miniodb/core";

/**
 * The HTTP `Range` header for a port ByteRange (`end` exclusive), or:
 * - `"whole"` when the range covers the whole object (no header needed);
 * - `"empty"` when it selects no bytes, which HTTP cannot express (`bytes=5-4` is ignored by
 *   servers and would return the whole object).
 */
export function s3Range(range: ByteRange | undefined): string | "whole" | "empty" {
  if (!range) return "whole";
  const start = Math.max(0, Math.floor(range.start));
  if (range.end === undefined) return start === 0 ? "whole" : `bytes=${start}-`;
  const end = Math.floor(range.end);
  if (end <= start) return "empty";
  return `bytes=${start}-${end - 1}`;
}
