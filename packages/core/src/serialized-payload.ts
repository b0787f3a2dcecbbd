import { columnTypeOf, type ColumnType } from "./column-type.js";

/**
 * A record payload (a JSON object) in the form the write path needs: its JSON text and, per
 * top-level key, the column type of its value. Produced once per record, either by
 * `serializePayload` from an object (REST, Connect JSON) or by a reader straight from the wire
 * (gRPC payloads as encoded `google.protobuf.Struct`), so that key checks, schema evolution and
 * row encoding never walk or stringify the payload again.
 */
export interface SerializedPayload {
  /** The object's JSON text, exactly as `JSON.stringify` writes it. */
  readonly json: string;
  /** Top-level keys, in the order of the JSON text. */
  readonly keys: readonly string[];
  /** Column type of each key's value (`undefined` for `null`), parallel to `keys`. */
  readonly types: ReadonlyArray<ColumnType | undefined>;
}

/**
 * A payload still in its wire form. `serialize` decodes it and throws a MiniodbError
 * (invalid_argument) when it is malformed, so the caller can report it against its record.
 */
export interface EncodedPayload {
  serialize(): SerializedPayload;
}

/** The serialized form of a payload object (keys as `for…in` lists them, like the JSON text). */
export function serializePayload(payload: Readonly<Record<string, unknown>>): SerializedPayload {
  const keys: string[] = [];
  const types: Array<ColumnType | undefined> = [];
  for (const key in payload) {
    keys.push(key);
    types.push(columnTypeOf(payload[key]));
  }
  return { json: JSON.stringify(payload), keys, types };
}
