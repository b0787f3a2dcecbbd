import {
  checkTimestampMicros,
  MiniodbError,
  PayloadSerializer,
  type SerializedPayload,
  type TableEntry,
} from "@miniodb/core";
import {
  createIdGenerator,
  encodeRowBlock,
  rowBlockOfLines,
  type BlockRow,
  type RecordError,
  type RecordInput,
} from "@miniodb/worker-node";
import type { RoutableLines } from "../decode/rest-batch.js";

/** A write's rows as they are routed: each one's id ("" when its worker generates it), and the row block of any of them. */
export interface RowSet {
  id(index: number): string;
  block(indices: readonly number[]): Uint8Array;
}

/** Rows prepared one record at a time (RowPreparer); undefined where a record failed. */
export class BlockRows implements RowSet {
  readonly #rows: Array<BlockRow | undefined>;

  constructor(rows: ReadonlyArray<BlockRow | undefined>) {
    this.#rows = [...rows];
  }

  get length(): number {
    return this.#rows.length;
  }

  valid(index: number): boolean {
    return this.#rows[index] !== undefined;
  }

  id(index: number): string {
    return this.#rows[index]!.id;
  }

  /** Gives a row another id (a keyed write's retry takes over the ids its first call generated). */
  setId(index: number, id: string): void {
    const row = this.#rows[index];
    if (row) this.#rows[index] = { ...row, id };
  }

  block(indices: readonly number[]): Uint8Array {
    return encodeRowBlock(indices.map((index) => this.#rows[index]!));
  }
}

/** Rows a batch's decoding wrote as row-block lines (DecodedRestBatch.rowLines): blocks are cut from them. */
export class LineRows implements RowSet {
  readonly #lines: RoutableLines;

  constructor(lines: RoutableLines) {
    this.#lines = lines;
  }

  get length(): number {
    return this.#lines.ids.length;
  }

  id(index: number): string {
    return this.#lines.ids[index]!;
  }

  block(indices: readonly number[]): Uint8Array {
    return rowBlockOfLines(this.#lines.lines, indices);
  }
}

/** Records of one write in the form they travel to workers, with the records that failed here. */
export interface RoutedRows {
  /** Parallel to the write's records; undefined where the record failed (see errors). */
  readonly rows: ReadonlyArray<BlockRow | undefined>;
  readonly errors: RecordError[];
}

/**
 * Prepares a write's records for routing: every record needs its id to find its shard, so ids the
 * table generates are generated here (with this node's id in them); payloads are serialised once.
 * Timestamps are range-checked here (a row block carries plain integers); everything else (id
 * rules, keys, sizes) is checked by the owning worker.
 */
export class RowPreparer {
  readonly #nodeId: string;
  readonly #generators = new Map<string, { createdAtMs: number; next: () => string }>();

  constructor(nodeId: string) {
    this.#nodeId = nodeId;
  }

  prepare(table: TableEntry, records: readonly RecordInput[], partial: boolean): RoutedRows {
    const rows: Array<BlockRow | undefined> = [];
    const errors: RecordError[] = [];
    // Payloads of one shape share their keys and types arrays: fewer allocations, and the row
    // block compares shapes by identity.
    const serializer = new PayloadSerializer();
    records.forEach((record, index) => {
      try {
        rows.push(this.#row(table, record, serializer));
      } catch (error) {
        const failure = MiniodbError.from(error);
        if (!partial) throw failure;
        rows.push(undefined);
        errors.push({ index, code: failure.code, message: failure.message });
      }
    });
    return { rows, errors };
  }

  #row(table: TableEntry, record: RecordInput, serializer: PayloadSerializer): BlockRow {
    const payload = record.encodedPayload?.serialize() ?? serializeObject(record.payload, serializer);
    let id = record.id ?? "";
    if (id === "" && table.config.autoGenerateId) id = this.#generatorOf(table)();
    // Checked here, so that a timestamp out of range is this record's error (with its index), and
    // every timestamp a row block carries is a plain integer.
    const timestampMicros =
      record.timestampMicros === undefined ? undefined : checkTimestampMicros(record.timestampMicros);
    return { id, timestampMicros, payload };
  }

  #generatorOf(table: TableEntry): () => string {
    const createdAtMs = table.createdAt.getTime();
    const known = this.#generators.get(table.name);
    if (known && known.createdAtMs === createdAtMs) return known.next;
    const next = createIdGenerator(table.config.idStrategy, table.config.idPrefix, this.#nodeId);
    this.#generators.set(table.name, { createdAtMs, next });
    return next;
  }
}

function serializeObject(payload: unknown, serializer: PayloadSerializer): SerializedPayload {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new MiniodbError("invalid_argument", "payload must be a JSON object", {
      details: { field: "payload" },
    });
  }
  return serializer.serialize(payload as Record<string, unknown>);
}
