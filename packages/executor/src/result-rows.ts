import {
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBDataChunk,
  type DuckDBType,
  type Json,
} from "@duckdb/node-api";

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
      row[column.name] = finish(values[index] ?? null, column.kind);
    }
    return row;
  });
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
