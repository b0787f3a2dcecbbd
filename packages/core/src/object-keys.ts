import { MiniodbError } from "./miniodb-error.js";

/**
 * Every object key MinIODB writes, built and parsed here and nowhere else.
 *
 *     data/<table>/dt=<YYYY-MM-DD>/<node>-<sequence>.parquet           a flushed data file
 *     data/<table>/dt=<YYYY-MM-DD>/<node>-<sequence>.c<run>.parquet    a compacted data file
 *     backups/metadata/<backup-id>.json                        a metadata snapshot
 *
 * `<table>` is a validated table name; `<YYYY-MM-DD>` is the UTC day of the rows' timestamps;
 * `<node>` the writing node's id; `<sequence>` the first row sequence in the file, as 20 zero-padded
 * digits so keys sort in write order. `<run>` (lower-case letters and digits) tells a compaction's
 * output apart from the files it replaces, which may start at the same sequence.
 */
export interface DataFileKey {
  readonly table: string;
  /** UTC day, `YYYY-MM-DD`. */
  readonly partition: string;
  readonly nodeId: string;
  readonly sequence: bigint;
  /** The compaction run that wrote the file; absent for flushed files. */
  readonly compaction?: string | undefined;
}

const DATA_PREFIX = "data";
const BACKUP_PREFIX = "backups/metadata";
const DATA_KEY =
  /^data\/([A-Za-z][A-Za-z0-9_]{0,63})\/dt=(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9][A-Za-z0-9_.-]*)-(\d{20})(?:\.c([a-z0-9]{1,32}))?\.parquet$/;

export function dataFileKey({ table, partition, nodeId, sequence, compaction }: DataFileKey): string {
  if (compaction !== undefined && !/^[a-z0-9]{1,32}$/.test(compaction))
    throw new MiniodbError("invalid_argument", `invalid compaction run ${JSON.stringify(compaction)}`);
  const run = compaction === undefined ? "" : `.c${compaction}`;
  return `${tableDataPrefix(table)}dt=${partition}/${nodeId}-${sequence.toString().padStart(20, "0")}${run}.parquet`;
}

export function parseDataFileKey(key: string): DataFileKey {
  const match = DATA_KEY.exec(key);
  if (!match) throw new MiniodbError("invalid_argument", `not a data file key: ${JSON.stringify(key)}`);
  const parsed = { table: match[1]!, partition: match[2]!, nodeId: match[3]!, sequence: BigInt(match[4]!) };
  return match[5] === undefined ? parsed : { ...parsed, compaction: match[5] };
}

/** The prefix under which all of a table's data files live (for listing and cascade deletes). */
export function tableDataPrefix(table: string): string {
  return `${DATA_PREFIX}/${table}/`;
}

const MICROS_PER_DAY = 86_400_000_000;
/** Recently formatted days: formatting a date per row is measurable at ingest rates. */
const dayNames = new Map<number, string>();

/** The UTC day partition of a timestamp in epoch microseconds. */
export function partitionOf(timestampMicros: number): string {
  const day = Math.floor(timestampMicros / MICROS_PER_DAY);
  let name = dayNames.get(day);
  if (name === undefined) {
    if (dayNames.size >= 4096) dayNames.clear();
    name = new Date(day * 86_400_000).toISOString().slice(0, 10);
    dayNames.set(day, name);
  }
  return name;
}

export function metadataBackupKey(backupId: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(backupId))
    throw new MiniodbError("invalid_argument", `invalid backup id ${backupId}`);
  return `${BACKUP_PREFIX}/${backupId}.json`;
}

export const METADATA_BACKUP_PREFIX = `${BACKUP_PREFIX}/`;
