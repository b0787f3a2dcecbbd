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
  /** The JSON text as UTF-8, when the payload was read into bytes (see Utf8Payload). */
  readonly utf8?: Uint8Array;
}

/**
 * A payload read straight into UTF-8 bytes (by a wire reader): the write path copies the bytes
 * into its log entry as they are, and `json` is decoded only if something asks for the text.
 */
export class Utf8Payload implements SerializedPayload {
  readonly utf8: Uint8Array;
  readonly keys: readonly string[];
  readonly types: ReadonlyArray<ColumnType | undefined>;
  #json: string | undefined;

  /** `utf8` must hold exactly the object's JSON text, as `JSON.stringify` writes it. */
  constructor(utf8: Uint8Array, keys: readonly string[], types: ReadonlyArray<ColumnType | undefined>) {
    this.utf8 = utf8;
    this.keys = keys;
    this.types = types;
  }

  get json(): string {
    return (this.#json ??= utf8Decoder.decode(this.utf8));
  }
}

const utf8Decoder = new TextDecoder();

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

/**
 * `serializePayload` for a run of payloads (the records of a batch): a payload whose keys and
 * column types equal the previous payload's gets the previous payload's arrays, as the readers
 * of wire payloads do, so checks keyed on those arrays run once per shape and no arrays are
 * allocated for it. Callers never change the arrays.
 */
export class PayloadSerializer {
  #keys: readonly string[] = [];
  #types: ReadonlyArray<ColumnType | undefined> = [];

  serialize(payload: Readonly<Record<string, unknown>>): SerializedPayload {
    const lastKeys = this.#keys;
    const lastTypes = this.#types;
    let count = 0;
    let keys: string[] | undefined;
    let types: Array<ColumnType | undefined> | undefined;
    for (const key in payload) {
      const type = columnTypeOf(payload[key]);
      if (keys === undefined) {
        if (key === lastKeys[count] && type === lastTypes[count] && count < lastKeys.length) {
          count++;
          continue;
        }
        keys = lastKeys.slice(0, count);
        types = lastTypes.slice(0, count);
      }
      keys.push(key);
      types!.push(type);
      count++;
    }
    const json = JSON.stringify(payload);
    if (keys === undefined) {
      if (count === lastKeys.length) return { json, keys: lastKeys, types: lastTypes };
      keys = lastKeys.slice(0, count);
      types = lastTypes.slice(0, count);
    }
    this.#keys = keys;
    this.#types = types!;
    return { json, keys, types: types! };
  }
}
