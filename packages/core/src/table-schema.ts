import {
  checkPayloadKey,
  columnTypeOf,
  widenColumnType,
  type ColumnDef,
  type ColumnType,
} from "./column-type.js";
import type { SchemaEntry } from "./metadata-store.js";
import { MiniodbError } from "./miniodb-error.js";
import type { SerializedPayload } from "./serialized-payload.js";

/** One version of a table's payload columns. Versions only ever add columns or widen types. */
export type TableSchema = SchemaEntry;

export const EMPTY_SCHEMA: TableSchema = Object.freeze({ version: 0, columns: Object.freeze([]) });

/**
 * Accumulates the columns seen in a batch of payloads against a table's current schema and yields
 * the next schema version when anything is new or wider.
 *
 * DuckDB matches column names case-insensitively, so two keys that differ only in case would
 * collide; the second spelling is rejected with invalid_argument rather than merged silently.
 */
export class SchemaEvolution {
  readonly #base: TableSchema;
  readonly #columns = new Map<string, ColumnDef>();
  #changed = false;

  constructor(base: TableSchema = EMPTY_SCHEMA) {
    this.#base = base;
    for (const column of base.columns) this.#columns.set(column.name.toLowerCase(), column);
  }

  /** Notes the keys and value types of one payload. Throws invalid_argument for a bad key. */
  observe(payload: Readonly<Record<string, unknown>>): void {
    for (const key in payload) this.#observeColumn(key, columnTypeOf(payload[key]));
  }

  /** `observe` for a payload already serialized: its keys and their value types. */
  observeSerialized(payload: Pick<SerializedPayload, "keys" | "types">): void {
    const { keys, types } = payload;
    for (let i = 0; i < keys.length; i++) this.#observeColumn(keys[i]!, types[i]);
  }

  #observeColumn(name: string, type: ColumnType | undefined): void {
    const folded = name.toLowerCase();
    const existing = this.#columns.get(folded);
    if (existing === undefined) {
      checkPayloadKey(name);
      // A key seen only with null values gets its column with its first typed value; until then
      // its values are NULL anyway.
      if (type === undefined) return;
      this.#columns.set(folded, { name, type });
      this.#changed = true;
      return;
    }
    if (existing.name !== name) {
      throw new MiniodbError(
        "invalid_argument",
        `payload key ${JSON.stringify(name)} differs only in case from column ${JSON.stringify(existing.name)}`,
        { details: { field: "payload" } },
      );
    }
    if (type === undefined || type === existing.type) return;
    const widened = widenColumnType(existing.type, type);
    if (widened !== existing.type) {
      this.#columns.set(folded, { name, type: widened });
      this.#changed = true;
    }
  }

  /** The schema after everything observed: the base itself when nothing changed. */
  result(): TableSchema {
    if (!this.#changed) return this.#base;
    return { version: this.#base.version + 1, columns: [...this.#columns.values()] };
  }
}
