import { MiniodbError } from "@miniodb/core";

/**
 * Conversions between the port's values and SQLite columns.
 *
 * - Dates are INTEGER milliseconds since the epoch (they round-trip to the millisecond).
 * - Sequences (bigint) are INTEGER: SQLite integers are signed 64-bit, so every value in
 *   [0, 2^63 - 1] is stored exactly and compares numerically in SQL. Statements that read them back
 *   use better-sqlite3's `safeIntegers`, so values above 2^53 are never rounded through a double.
 * - Booleans are INTEGER 0/1; structured values (table config, schema columns) are JSON TEXT.
 */
export const sqliteValues = {
  millis(date: Date, field: string): number {
    const millis = date instanceof Date ? date.getTime() : Number.NaN;
    if (!Number.isFinite(millis)) throw invalid(`${field} must be a valid Date`);
    return millis;
  },

  date(millis: number | bigint): Date {
    return new Date(Number(millis));
  },

  sequence(value: bigint, field: string): bigint {
    if (typeof value !== "bigint" || value < 0n || value > MAX_INT64) {
      throw invalid(`${field} must be a bigint in [0, 2^63 - 1], got ${String(value)}`);
    }
    return value;
  },

  integer(value: number, field: string): number {
    if (!Number.isSafeInteger(value)) throw invalid(`${field} must be a safe integer, got ${value}`);
    return value;
  },
};

export const MAX_INT64 = 2n ** 63n - 1n;

function invalid(message: string): MiniodbError {
  return new MiniodbError("invalid_argument", message);
}
