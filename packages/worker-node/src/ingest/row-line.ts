import { SEQUENCE_COLUMN, serializePayload, type SerializedPayload } from "@miniodb/core";
import type { PreparedRecord } from "./record-preparer.js";

/** Hidden column holding a row's sequence number (decimal string; it can exceed 2^53). */
export { SEQUENCE_COLUMN };

const ID_KEY = `{"id":`;
const TIMESTAMP_KEY = `,"timestamp":`;
const SEQUENCE_KEY = `,${JSON.stringify(SEQUENCE_COLUMN)}:"`;

/**
 * The buffered and logged form of a row: one NDJSON line
 * `{"id":…,"timestamp":<epoch µs>,"__miniodb_seq":"<sequence>",…payload}`, spliced from the
 * payload's JSON text (never re-serialised). `sequence` is the decimal sequence number. DuckDB
 * reads these lines directly when a flush converts them to Parquet. Payload keys never collide
 * with the record columns (SchemaEvolution rejects such keys).
 */
export function encodeRowLine(record: PreparedRecord, sequence: string): string {
  const head = rowLineHead(record, sequence);
  const payload = record.payload.json;
  return payload === "{}" ? `${head}}` : `${head},${payload.slice(1)}`;
}

/** A row line up to its payload's keys: `{"id":…,"timestamp":…,"__miniodb_seq":"<sequence>"`. */
export function rowLineHead(
  record: Pick<PreparedRecord, "id" | "timestampMicros">,
  sequence: string,
): string {
  return `${ID_KEY}${JSON.stringify(record.id)}${TIMESTAMP_KEY}${record.timestampMicros}${SEQUENCE_KEY}${sequence}"`;
}

/**
 * A row line's id as the JSON string literal encodeRowLine wrote (`JSON.stringify(id)`), read
 * without parsing the line: the first unescaped `,"timestamp":` ends it.
 */
export function rowLineIdLiteral(line: string): string {
  return line.slice(ID_KEY.length, line.indexOf(TIMESTAMP_KEY));
}

/** The fields of a row line the worker needs without parsing the payload. */
export interface RowLineHeader {
  readonly id: string;
  readonly timestampMicros: number;
  readonly sequence: bigint;
}

export function decodeRowLineHeader(line: string): RowLineHeader {
  const row = JSON.parse(line) as { id: string; timestamp: number; [SEQUENCE_COLUMN]: string };
  return { id: row.id, timestampMicros: row.timestamp, sequence: BigInt(row[SEQUENCE_COLUMN]) };
}

/** A row line's payload (every key but id, timestamp and sequence), for schema evolution. */
export function payloadOfRowLine(line: string): SerializedPayload {
  const row = JSON.parse(line) as Record<string, unknown>;
  delete row["id"];
  delete row["timestamp"];
  delete row[SEQUENCE_COLUMN];
  return serializePayload(row);
}
