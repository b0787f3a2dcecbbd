import type { DataFile } from "@miniodb/core";

/**
 * Bounds a query puts on the record columns of one table, inclusive (strict comparisons are
 * widened to inclusive: pruning may keep a file it could skip, never the reverse). Timestamps in
 * epoch µs. An absent bound is open.
 */
export interface ScanRange {
  readonly idMin?: string | undefined;
  readonly idMax?: string | undefined;
  /** The only ids wanted (`id = …`, `id IN (…)`), when the query names them. */
  readonly ids?: readonly string[] | undefined;
  readonly timestampMin?: number | undefined;
  readonly timestampMax?: number | undefined;
}

/**
 * Ids compare as DuckDB compares VARCHARs: by their UTF-8 bytes, which is code point order. UTF-16
 * code units order the same way unless both are at or above the surrogates (U+D800): only such a
 * difference needs the bytes.
 */
export function compareIds(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a.charCodeAt(index);
    const right = b.charCodeAt(index);
    if (left === right) continue;
    if (left < 0xd800 || right < 0xd800) return left - right;
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
  }
  return a.length - b.length;
}

/** Whether a file's stats allow rows inside the range. */
export function fileInRange(file: DataFile, range: ScanRange): boolean {
  if (range.timestampMin !== undefined && file.maxTimestamp < range.timestampMin) return false;
  if (range.timestampMax !== undefined && file.minTimestamp > range.timestampMax) return false;
  if (range.idMin !== undefined && compareIds(file.maxId, range.idMin) < 0) return false;
  if (range.idMax !== undefined && compareIds(file.minId, range.idMax) > 0) return false;
  if (range.ids !== undefined)
    return range.ids.some((id) => compareIds(id, file.minId) >= 0 && compareIds(id, file.maxId) <= 0);
  return true;
}

/** Both conditions at once (AND). */
export function intersectRanges(a: ScanRange, b: ScanRange): ScanRange {
  const ids = a.ids && b.ids ? a.ids.filter((id) => b.ids!.includes(id)) : (a.ids ?? b.ids);
  return {
    idMin: pick(a.idMin, b.idMin, (x, y) => compareIds(x, y) >= 0),
    idMax: pick(a.idMax, b.idMax, (x, y) => compareIds(x, y) <= 0),
    ids,
    timestampMin: pick(a.timestampMin, b.timestampMin, (x, y) => x >= y),
    timestampMax: pick(a.timestampMax, b.timestampMax, (x, y) => x <= y),
  };
}

/** Either condition (OR): the smallest range covering both. */
export function unionRanges(a: ScanRange, b: ScanRange): ScanRange {
  return {
    idMin:
      a.idMin === undefined || b.idMin === undefined
        ? undefined
        : pick(a.idMin, b.idMin, (x, y) => compareIds(x, y) <= 0),
    idMax:
      a.idMax === undefined || b.idMax === undefined
        ? undefined
        : pick(a.idMax, b.idMax, (x, y) => compareIds(x, y) >= 0),
    ids: a.ids && b.ids ? [...new Set([...a.ids, ...b.ids])] : undefined,
    timestampMin:
      a.timestampMin === undefined || b.timestampMin === undefined
        ? undefined
        : Math.min(a.timestampMin, b.timestampMin),
    timestampMax:
      a.timestampMax === undefined || b.timestampMax === undefined
        ? undefined
        : Math.max(a.timestampMax, b.timestampMax),
  };
}

/** The defined one, or the one `prefer` chooses when both are. */
function pick<T>(a: T | undefined, b: T | undefined, prefer: (x: T, y: T) => boolean): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return prefer(a, b) ? a : b;
}
