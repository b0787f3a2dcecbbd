import type { DataFile } from "@miniodb/core";
import { sqliteValues } from "./sqlite-values.js";

/** Columns of `manifest_files` after `table_name`, in the order `dataFileRow.bind` produces. */
export const DATA_FILE_COLUMNS =
  "key, partition, etag, size_bytes, row_count, min_timestamp, max_timestamp, min_id, max_id, " +
  "schema_version, min_sequence, max_sequence, node_id, created_at";

/**
 * One manifest file as SQL selects it: `json_array` of the columns with sequences as TEXT, so a
 * whole manifest comes back as one JSON document (much faster to materialise than row by row).
 */
export const DATA_FILE_JSON =
  "json_array(key, partition, etag, size_bytes, row_count, min_timestamp, max_timestamp, min_id, " +
  "max_id, schema_version, CAST(min_sequence AS TEXT), CAST(max_sequence AS TEXT), node_id, created_at)";

type DataFileJson = [
  string,
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

/** Converts DataFiles to and from `manifest_files` rows. */
export const dataFileRow = {
  bind(file: DataFile): unknown[] {
    return [
      file.key,
      file.partition,
      file.etag,
      sqliteValues.integer(file.sizeBytes, "sizeBytes"),
      sqliteValues.integer(file.rowCount, "rowCount"),
      sqliteValues.integer(file.minTimestamp, "minTimestamp"),
      sqliteValues.integer(file.maxTimestamp, "maxTimestamp"),
      file.minId,
      file.maxId,
      sqliteValues.integer(file.schemaVersion, "schemaVersion"),
      sqliteValues.sequence(file.minSequence, "minSequence"),
      sqliteValues.sequence(file.maxSequence, "maxSequence"),
      file.nodeId,
      sqliteValues.millis(file.createdAt, "createdAt"),
    ];
  },

  /** Parses the JSON array of `DATA_FILE_JSON` values; the files are frozen (manifests are shared). */
  parseAll(json: string): DataFile[] {
    return (JSON.parse(json) as DataFileJson[]).map((row) =>
      Object.freeze({
        key: row[0],
        partition: row[1],
        etag: row[2],
        sizeBytes: row[3],
        rowCount: row[4],
        minTimestamp: row[5],
        maxTimestamp: row[6],
        minId: row[7],
        maxId: row[8],
        schemaVersion: row[9],
        minSequence: BigInt(row[10]),
        maxSequence: BigInt(row[11]),
        nodeId: row[12],
        createdAt: sqliteValues.date(row[13]),
      }),
    );
  },

  /** A frozen copy of a caller's file, as the cache keeps it. */
  freeze(file: DataFile): DataFile {
    return Object.freeze({
      key: file.key,
      partition: file.partition,
      etag: file.etag,
      sizeBytes: file.sizeBytes,
      rowCount: file.rowCount,
      minTimestamp: file.minTimestamp,
      maxTimestamp: file.maxTimestamp,
      minId: file.minId,
      maxId: file.maxId,
      schemaVersion: file.schemaVersion,
      minSequence: file.minSequence,
      maxSequence: file.maxSequence,
      nodeId: file.nodeId,
      createdAt: new Date(file.createdAt.getTime()),
    });
  },
};
