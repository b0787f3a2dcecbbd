import { MiniodbError, type DataFile } from "@miniodb/core";

/** The largest sequence Redis (signed 64-bit counters) and the embedded store hold. */
export const MAX_SEQUENCE = 2n ** 63n - 1n;

/**
 * Conversions between the port's values and Redis strings, with the same range checks as the
 * embedded store (`invalid_argument`), so both stores accept exactly the same values.
 *
 * - Dates are epoch milliseconds, written as decimal integers.
 * - Sequences (bigint) are decimal strings: Lua numbers and JSON numbers are doubles and would
 *   round values above 2^53.
 * - A data file is a JSON array (its key is the hash field), so a whole manifest is parsed with
 *   one `JSON.parse` of the joined values.
 */
export const redisValues = {
  millis(date: Date, field: string): number {
    const millis = date instanceof Date ? date.getTime() : Number.NaN;
    if (!Number.isFinite(millis)) throw invalid(`${field} must be a valid Date`);
    return millis;
  },

  sequence(value: bigint, field: string): string {
    if (typeof value !== "bigint" || value < 0n || value > MAX_SEQUENCE) {
      throw invalid(`${field} must be a bigint in [0, 2^63 - 1], got ${String(value)}`);
    }
    return value.toString();
  },

  integer(value: number, field: string): number {
    if (!Number.isSafeInteger(value)) throw invalid(`${field} must be a safe integer, got ${value}`);
    return value;
  },

  /** The hash value of a data file (everything but its key). */
  encodeFile(file: DataFile): string {
    const int = redisValues.integer;
    return JSON.stringify([
      file.partition,
      file.etag,
      int(file.sizeBytes, "sizeBytes"),
      int(file.rowCount, "rowCount"),
      int(file.minTimestamp, "minTimestamp"),
      int(file.maxTimestamp, "maxTimestamp"),
      file.minId,
      file.maxId,
      int(file.schemaVersion, "schemaVersion"),
      redisValues.sequence(file.minSequence, "minSequence"),
      redisValues.sequence(file.maxSequence, "maxSequence"),
      file.nodeId,
      redisValues.millis(file.createdAt, "createdAt"),
    ]);
  },

  /** Parses HGETALL's flat `[key, value, key, value, ...]` of a manifest into frozen files. */
  decodeFiles(flat: readonly string[]): DataFile[] {
    const keys: string[] = [];
    const values: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      keys.push(flat[i]!);
      values.push(flat[i + 1]!);
    }
    const rows = JSON.parse(`[${values.join(",")}]`) as FileRow[];
    return rows.map((row, i) => fileOf(keys[i]!, row));
  },

  /** A frozen copy of a caller's file, as the manifest cache keeps it. */
  freezeFile(file: DataFile): DataFile {
    return Object.freeze({ ...file, createdAt: new Date(file.createdAt.getTime()) });
  },
};

type FileRow = [
  string,
  string,
  number,
  number,
  number,
  number,
  string,
  string,
  number,
  string,
  string,
  string,
  number,
];

function fileOf(key: string, row: FileRow): DataFile {
  return Object.freeze({
    key,
    partition: row[0],
    etag: row[1],
    sizeBytes: row[2],
    rowCount: row[3],
    minTimestamp: row[4],
    maxTimestamp: row[5],
    minId: row[6],
    maxId: row[7],
    schemaVersion: row[8],
    minSequence: BigInt(row[9]),
    maxSequence: BigInt(row[10]),
    nodeId: row[11],
    createdAt: new Date(row[12]),
  });
}

function invalid(message: string): MiniodbError {
  return new MiniodbError("invalid_argument", message);
}
