import { MiniodbError } from "@miniodb/core";

/**
 * File names of WAL segments: the LSN of the segment's first entry, as 20 decimal digits
 * (enough for any u64) zero-padded, with the suffix `.wal`:
 *
 *     <directory>/00000000000000000001.wal
 *     <directory>/00000000000000004097.wal
 *
 * Zero padding makes the lexical order of the names the order of the log. Other files in the
 * directory are not segments and are left alone.
 */
const LSN_DIGITS = 20;
const SUFFIX = ".wal";

export function walSegmentName(firstLsn: bigint): string {
  if (firstLsn < 1n || firstLsn >= 10n ** BigInt(LSN_DIGITS)) {
    throw new MiniodbError("internal", `LSN ${firstLsn} is outside 1..10^${LSN_DIGITS}-1`);
  }
  return `${firstLsn.toString().padStart(LSN_DIGITS, "0")}${SUFFIX}`;
}

/** The first LSN a segment file name stands for, or undefined when the name is not a segment's. */
export function parseWalSegmentName(name: string): bigint | undefined {
  if (name.length !== LSN_DIGITS + SUFFIX.length || !name.endsWith(SUFFIX)) return undefined;
  const digits = name.slice(0, LSN_DIGITS);
  for (const char of digits) if (char < "0" || char > "9") return undefined;
  const lsn = BigInt(digits);
  return lsn >= 1n ? lsn : undefined;
}
