import {
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  type Json,
} from "@duckdb/node-api";

// The client library writes TIMESTAMPTZ values (also inside lists and structs) in the host's zone
// unless told otherwise; the engine works in UTC (duckdb-sandbox.ts), and so do results, whatever
// the zone of the machine a node runs on.
DuckDBTimestampTZValue.timezoneOffsetInMinutes = 0;

/** A result row as JSON values, keyed by (deduplicated) column name. */
export type ResultRow = Record<string, Json>;

/** How a top-level column's JSON form is finished; nested values keep DuckDB's JSON form. */
type ColumnKind = "integer" | "decimal" | "timestamp" | "json" | "plain";

export interface ResultColumn {
  /** Unique within the result: a repeated name gets a `:1`, `:2`… suffix. */
  readonly name: string;
  /** DuckDB's spelling of the type, e.g. `BIGINT`, `TIMESTAMP`, `JSON`. */
  readonly type: string;
  readonly kind: ColumnKind;
}

const INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
]);
const TIMESTAMP_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
]);

export function resultColumn(name: string, type: DuckDBType): ResultColumn {
  const kind: ColumnKind =
    type.alias === "JSON"
      ? "json"
      : INTEGER_TYPES.has(type.typeId)
        ? "integer"
        : type.typeId === DuckDBTypeId.DECIMAL
          ? "decimal"
          : TIMESTAMP_TYPES.has(type.typeId)
            ? "timestamp"
            : "plain";
  return { name, type: type.alias ?? type.toString(), kind };
}

/**
 * The rows of one chunk as JSON objects: integers that fit a double exactly as numbers and larger
 * ones as decimal strings, decimals as numbers when 15 significant digits hold them, timestamps
 * in RFC 3339 (UTC, `Z`, up to microseconds), JSON columns as the values they hold; everything
 * else as DuckDB's JSON form (dates `YYYY-MM-DD`, lists and structs as arrays and objects).
 */
export function chunkRows(chunk: DuckDBDataChunk, columns: readonly ResultColumn[]): ResultRow[] {
  const rows = chunk.convertRows(JsonDuckDBValueConverter);
  return rows.map((values) => {
    const row: ResultRow = {};
    for (let index = 0; index < columns.length; index++) {
      const column = columns[index]!;
      const value = finish(values[index] ?? null, column.kind);
      // A column may be called `__proto__`: it must become a key, not the row's prototype.
      if (column.name === "__proto__")
        Object.defineProperty(row, column.name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else row[column.name] = value;
    }
    return row;
  });
}

/**
 * The values of one chunk by column (`values[column][row]`), finished as in chunkRows, except that
 * timestamp columns hold epoch microseconds (numbers) instead of RFC 3339 text: the form result
 * streams encode records from, without a row object per row.
 */
export function chunkColumns(chunk: DuckDBDataChunk, columns: readonly ResultColumn[]): Json[][] {
  return columns.map((column, index) => {
    if (column.kind === "timestamp") return chunk.getColumnValues(index).map(timestampMicros);
    const values = chunk.convertColumnValues(index, JsonDuckDBValueConverter);
    if (column.kind === "plain") return values;
    return values.map((value) => finish(value, column.kind));
  });
}

/** Epoch µs of a DuckDB timestamp value of any precision (with or without time zone). */
function timestampMicros(value: DuckDBValue): Json {
  if (value === null) return null;
  if (value instanceof DuckDBTimestampSecondsValue) return Number(value.seconds) * 1_000_000;
  if (value instanceof DuckDBTimestampMillisecondsValue) return Number(value.millis) * 1000;
  if (value instanceof DuckDBTimestampNanosecondsValue) return Number(value.nanos / 1000n);
  return Number((value as { micros: bigint }).micros);
}

function finish(value: Json, kind: ColumnKind): Json {
  if (value === null || typeof value !== "string") return value;
  switch (kind) {
    case "integer": {
      const number = Number(value);
      return Number.isSafeInteger(number) ? number : value;
    }
    case "decimal":
      return value.replace(/[-.]/g, "").replace(/^0+/, "").length <= 15 ? Number(value) : value;
    case "timestamp":
      return rfc3339(value);
    case "json":
      return JSON.parse(value) as Json;
    case "plain":
      return value;
  }
}

const DUCKDB_TIMESTAMP = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)(?:([+-]\d\d)(?::?(\d\d))?)?$/;

/** `2024-01-02 03:04:05.123456[+00]` → `2024-01-02T03:04:05.123456Z`; other forms unchanged. */
function rfc3339(text: string): string {
  const match = DUCKDB_TIMESTAMP.exec(text);
  if (!match) return text;
  const [, date, time, offsetHours, offsetMinutes] = match;
  const offset =
    offsetHours === undefined || (Number(offsetHours) === 0 && Number(offsetMinutes ?? 0) === 0)
      ? "Z"
      : `${offsetHours}:${offsetMinutes ?? "00"}`;
  return `${date}T${time}${offset}`;
}
