import {
  checkPayloadKey,
  MiniodbError,
  SchemaEvolution,
  widenColumnType,
  type ColumnType,
  type MetadataStore,
  type SerializedPayload,
  type TableEntry,
  type TableSchema,
} from "@miniodb/core";
import { TableBuffer } from "../buffer/table-buffer.js";
import { RecordPreparer } from "./record-preparer.js";
import type { TableBufferStats } from "../worker-types.js";

/**
 * What a worker keeps per table: its entry (incarnation), record preparer, cached schema and
 * buffer. Schema changes of one table are serialised so concurrent writers never race the
 * metadata store's compare-and-swap; a version stored by another node is adopted and built on.
 */
export class TableState {
  readonly entry: TableEntry;
  readonly preparer: RecordPreparer;
  readonly buffer = new TableBuffer();
  #schema: TableSchema;
  #schemaChange: Promise<unknown> = Promise.resolve();

  constructor(entry: TableEntry, schema: TableSchema, nodeId: string, nowMicros?: () => number) {
    this.entry = entry;
    this.#schema = schema;
    this.preparer = new RecordPreparer(entry.config, nodeId, nowMicros);
  }

  /** Epoch ms of the latest acknowledged write, if any since the worker started. */
  lastWriteMs: number | undefined;
  /** The latest write time already stored in the metadata store. */
  persistedLastWriteMs: number | undefined;

  get schema(): TableSchema {
    return this.#schema;
  }

  /**
   * Checks a payload's keys without changing anything: new keys must be acceptable column names
   * and must not differ only in case from a column or from a key earlier in the same batch
   * (`batchKeys`, lower-cased → spelling). Throws invalid_argument. Returns whether the current
   * schema already holds every key with a type its value fits: schema evolution has nothing to
   * do for such a payload (schemas only grow and widen, so it stays covered).
   */
  checkKeys(payload: SerializedPayload, batchKeys: Map<string, string>): boolean {
    const columns = this.#columns;
    const { keys, types } = payload;
    let covered = true;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const column = columns.get(key);
      if (column !== undefined) {
        const type = types[i];
        if (type !== undefined && type !== column && widenColumnType(column, type) !== column)
          covered = false;
        continue;
      }
      covered = false;
      const folded = key.toLowerCase();
      const known = this.#foldedColumns.get(folded) ?? batchKeys.get(folded);
      if (known === undefined) {
        checkPayloadKey(key);
        batchKeys.set(folded, key);
      } else if (known !== key) {
        throw new MiniodbError(
          "invalid_argument",
          `payload key ${JSON.stringify(key)} differs only in case from ${JSON.stringify(known)}`,
          { details: { field: "payload" } },
        );
      }
    }
    return covered;
  }

  /** Column types by exact name. */
  get #columns(): ReadonlyMap<string, ColumnType> {
    return this.#types ?? this.#index().types;
  }

  get #foldedColumns(): ReadonlyMap<string, string> {
    return this.#folded ?? this.#index().folded;
  }

  #types: Map<string, ColumnType> | undefined;
  #folded: Map<string, string> | undefined;

  #index() {
    const types = new Map(this.#schema.columns.map((column) => [column.name, column.type]));
    const folded = new Map(this.#schema.columns.map((column) => [column.name.toLowerCase(), column.name]));
    this.#types = types;
    this.#folded = folded;
    return { types, folded };
  }

  /**
   * Makes the stored schema cover `payloads` (adding columns, widening types) before their rows
   * are logged. Throws invalid_argument for an unacceptable key, storing nothing.
   */
  async coverPayloads(payloads: readonly SerializedPayload[], metadata: MetadataStore): Promise<void> {
    const evolution = new SchemaEvolution(this.#schema);
    for (const payload of payloads) evolution.observeSerialized(payload);
    if (evolution.result() === this.#schema) return;
    const change = this.#schemaChange.then(async () => {
      for (let attempt = 0; ; attempt++) {
        const latest = new SchemaEvolution(this.#schema);
        for (const payload of payloads) latest.observeSerialized(payload);
        const next = latest.result();
        if (next === this.#schema) return;
        try {
          await metadata.putSchema(this.entry.name, next);
          this.#adoptSchema(next);
          return;
        } catch (error) {
          // Someone else stored a newer version: start from it (once).
          if (attempt > 0 || !MiniodbError.is(error, "aborted")) throw error;
          this.#adoptSchema(await metadata.getSchema(this.entry.name));
        }
      }
    });
    this.#schemaChange = change.catch(() => undefined);
    await change;
  }

  #adoptSchema(schema: TableSchema): void {
    this.#schema = schema;
    this.#types = undefined;
    this.#folded = undefined;
  }
}

/** A table's buffer numbers (all empty for a table the worker holds no state for). */
export function bufferStatsOf(state: TableState | undefined): TableBufferStats {
  if (!state)
    return {
      unflushedRows: 0,
      bufferedBytes: 0,
      lastWriteMs: undefined,
      oldestUnflushedMs: undefined,
      unflushedTimeRange: undefined,
    };
  return {
    unflushedRows: state.buffer.rowCount + state.buffer.pendingRowCount,
    bufferedBytes: state.buffer.bytes,
    lastWriteMs: state.lastWriteMs,
    oldestUnflushedMs: state.buffer.oldestUnflushedMs,
    unflushedTimeRange: state.buffer.timeRange,
  };
}
