import type { JsonObject } from "@bufbuild/protobuf";
import type { RecordInput } from "@miniodb/client";

/** Which fields of an input object hold the record's id and timestamp. */
export interface RecordFields {
  readonly idField: string;
  readonly timestampField: string;
}

export const DEFAULT_RECORD_FIELDS: RecordFields = { idField: "id", timestampField: "timestamp" };

/**
 * Turns one parsed input object into a record. Two shapes are accepted: the API's own
 * (`{"id", "timestamp", "payload": {...}}`, nothing else) and a flat object whose id and timestamp
 * fields are taken out and whose other fields become the payload. A missing id or timestamp is left
 * to the server. Throws an `Error` that says what is wrong.
 */
export function toRecordInput(value: unknown, fields: RecordFields = DEFAULT_RECORD_FIELDS): RecordInput {
  if (!isObject(value)) throw new Error(`not a JSON object: ${JSON.stringify(value)}`);
  const { [fields.idField]: id, [fields.timestampField]: timestamp, ...rest } = value;
  const keys = Object.keys(rest);
  const payload =
    keys.length === 1 && keys[0] === "payload" && isObject(rest["payload"]) ? rest["payload"] : rest;
  return {
    ...optionalId(id, fields.idField),
    ...optionalTimestamp(timestamp, fields.timestampField),
    payload: payload as JsonObject,
  };
}

function optionalId(id: unknown, field: string): { id?: string } {
  if (id === undefined || id === null || id === "") return {};
  if (typeof id === "string") return { id };
  if (typeof id === "number" && Number.isFinite(id)) return { id: String(id) };
  throw new Error(`"${field}" must be a string or a number, got ${JSON.stringify(id)}`);
}

function optionalTimestamp(timestamp: unknown, field: string): { timestamp?: Date } {
  if (timestamp === undefined || timestamp === null || timestamp === "") return {};
  const date =
    typeof timestamp === "string" || typeof timestamp === "number" ? new Date(timestamp) : new Date(NaN);
  if (Number.isNaN(date.getTime()))
    throw new Error(
      `"${field}" must be an RFC 3339 time or epoch milliseconds, got ${JSON.stringify(timestamp)}`,
    );
  return { timestamp: date };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
