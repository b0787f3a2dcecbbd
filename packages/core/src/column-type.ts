import { MiniodbError } from "./miniodb-error.js";

/**
 * Column types payload values map to: JSON booleans → BOOLEAN, integers → BIGINT, other numbers →
 * DOUBLE, strings → VARCHAR, objects and arrays → JSON. `null` says nothing about a type.
 */
export type ColumnType = "BOOLEAN" | "BIGINT" | "DOUBLE" | "VARCHAR" | "JSON";

export interface ColumnDef {
  /** The payload key, exactly as written. */
  readonly name: string;
  readonly type: ColumnType;
}

/** Columns every table has, in front of its payload columns. Payload keys may not reuse them. */
export const RECORD_COLUMNS: readonly ColumnDef[] = [
  { name: "id", type: "VARCHAR" },
  { name: "timestamp", type: "VARCHAR" },
];
/** Prefix of hidden system columns (sequence numbers and the like). Payload keys may not use it. */
export const HIDDEN_COLUMN_PREFIX = "__miniodb_";
export const MAX_COLUMN_NAME_LENGTH = 255;
/** Hidden column holding each row's sequence number (written as a decimal string in row lines). */
export const SEQUENCE_COLUMN = `${HIDDEN_COLUMN_PREFIX}seq`;

export function columnTypeOf(value: unknown): ColumnType | undefined {
  switch (typeof value) {
    case "boolean":
      return "BOOLEAN";
    case "number":
      return Number.isInteger(value) && Number.isSafeInteger(value) ? "BIGINT" : "DOUBLE";
    case "bigint":
      return "BIGINT";
    case "string":
      return "VARCHAR";
    case "object":
      return value === null ? undefined : "JSON";
    default:
      return undefined;
  }
}

/**
 * The widening policy, applied when a key's values disagree on type. Never narrows, never drops a
 * value: BIGINT and DOUBLE meet at DOUBLE; anything meets JSON at JSON (a JSON column holds any
 * value); any other mix (e.g. BOOLEAN and BIGINT, DOUBLE and VARCHAR) meets at VARCHAR, where the
 * value is kept as its JSON text.
 */
export function widenColumnType(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  if (a === "JSON" || b === "JSON") return "JSON";
  if ((a === "BIGINT" || a === "DOUBLE") && (b === "BIGINT" || b === "DOUBLE")) return "DOUBLE";
  return "VARCHAR";
}

/** Throws invalid_argument when `key` cannot be a payload column. */
export function checkPayloadKey(key: string): void {
  const reason =
    key.length === 0
      ? "it is empty"
      : key.length > MAX_COLUMN_NAME_LENGTH
        ? `it is longer than ${MAX_COLUMN_NAME_LENGTH} characters`
        : RECORD_COLUMNS.some((column) => column.name === key.toLowerCase())
          ? "it names a record column (id, timestamp): put it in the record, not the payload"
          : key.toLowerCase().startsWith(HIDDEN_COLUMN_PREFIX)
            ? `the prefix ${HIDDEN_COLUMN_PREFIX} is reserved`
            : key.includes("\u0000")
              ? "it contains a NUL character"
              : undefined;
  if (reason) {
    throw new MiniodbError(
      "invalid_argument",
      `invalid payload key ${JSON.stringify(key.slice(0, 80))}: ${reason}`,
      {
        details: { field: "payload" },
      },
    );
  }
}
