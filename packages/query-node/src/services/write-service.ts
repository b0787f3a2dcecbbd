import { MiniodbError, type TableEntry } from "@miniodb/core";
import type { RecordInput, WriteResult } from "@miniodb/worker-node";
import type { RoutableLines } from "../decode/rest-batch.js";
import type { DataPlane } from "./data-plane.js";
import type { TableService } from "./table-service.js";
import { noteRequest } from "../observability/request-context.js";

export interface WriteServiceOptions {
  readonly tables: TableService;
  readonly data: DataPlane;
  readonly maxBatchRecords: number;
}

/** Ingest: resolves the table (default, auto-create), checks batch limits, hands rows to a worker. */
export class WriteService {
  readonly #options: WriteServiceOptions;

  constructor(options: WriteServiceOptions) {
    this.#options = options;
  }

  /**
   * Writes one record; any problem fails the call. Returns the record's id. With an idempotency
   * key, a retry returns the first call's result without writing again.
   */
  async writeOne(table: string, record: RecordInput, idempotencyKey?: string): Promise<string> {
    const { tables } = this.#options;
    return noteWrite(table, 1, async () => {
      const entry = tables.cachedForWrite(table) ?? (await tables.resolveForWrite(table));
      noteRequest({ table: entry.name });
      const result = await this.#options.data.write(entry, [record], keyOption(idempotencyKey));
      noteRequest({ rows: result.written });
      return result.ids[0]!;
    });
  }

  /** Writes a batch: invalid records are reported by index, the valid ones written. */
  async writeMany(
    table: string,
    records: readonly RecordInput[],
    idempotencyKey?: string,
  ): Promise<WriteResult> {
    return this.#writeBatch(table, records.length, (entry) =>
      this.#options.data.write(entry, records, { partial: true, ...keyOption(idempotencyKey) }),
    );
  }

  /** Whether batches may be decoded into row-block lines for writeRowLines (a cluster's query node). */
  get routesRowLines(): boolean {
    return this.#options.data.writeRowLines !== undefined;
  }

  /** Writes a batch decoded into row-block lines, as writeMany writes records; no idempotency key. */
  async writeRowLines(table: string, lines: RoutableLines): Promise<WriteResult> {
    const { data } = this.#options;
    if (!data.writeRowLines)
      throw new MiniodbError("internal", "this node writes batches from their records");
    const writeRowLines = data.writeRowLines.bind(data);
    return this.#writeBatch(table, lines.ids.length, (entry) =>
      writeRowLines(entry, lines, { partial: true }),
    );
  }

  async #writeBatch(
    table: string,
    count: number,
    write: (entry: TableEntry) => Promise<WriteResult>,
  ): Promise<WriteResult> {
    this.checkBatchSize(count);
    return noteWrite(table, count, async () => {
      const entry = await this.#options.tables.resolveForWrite(table);
      noteRequest({ table: entry.name });
      const result = await write(entry);
      noteRequest({ rows: result.written, rejected: result.errors.length });
      return result;
    });
  }

  checkBatchSize(count: number): void {
    if (count === 0) throw new MiniodbError("invalid_argument", "the batch holds no records");
    if (count > this.#options.maxBatchRecords) {
      throw new MiniodbError(
        "payload_too_large",
        `the batch holds ${count} records; the limit is ${this.#options.maxBatchRecords} (limits.max_batch_records)`,
      );
    }
  }
}

/** Runs a write, counting its records as refused when it fails as a whole. */
async function noteWrite<T>(table: string, records: number, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    noteRequest({ ...(table === "" ? {} : { table }), rejected: records });
    throw error;
  }
}

/** The `Idempotency-Key` header (REST) or `idempotency-key` metadata (gRPC, Connect), if sent. */
export const IDEMPOTENCY_HEADER = "idempotency-key";

/** Whether a write carries an idempotency key (an empty one is none). */
export function hasIdempotencyKey(key: string | undefined): key is string {
  return key !== undefined && key !== "";
}

function keyOption(key: string | undefined): { idempotencyKey?: string } {
  return hasIdempotencyKey(key) ? { idempotencyKey: key } : {};
}
