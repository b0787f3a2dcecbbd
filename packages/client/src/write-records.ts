import { create } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { StreamWriteRequestSchema, type MinIODBService, type StreamWriteRequest } from "@miniodb/proto";
import { toDataRecord, type RecordInput } from "./record-input.js";

export interface WriteRecordsOptions {
  /** Records per StreamWrite message; default 1,000. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  /** Sent as `Idempotency-Key`: a retried stream with the same key is applied once. */
  readonly idempotencyKey?: string;
}

export interface WriteRecordsResult {
  /** Records the server accepted. */
  readonly recordsCount: number;
  /** One message per rejected record or batch; empty when everything was written. */
  readonly errors: readonly string[];
}

export const DEFAULT_WRITE_BATCH_SIZE = 1_000;

/**
 * Writes any number of records to `table` over one StreamWrite call, `batchSize` records per
 * message. The source is read lazily as the transport sends (HTTP/2 flow control), so a large or
 * endless producer is held back by the server rather than buffered in memory.
 */
export async function writeRecords(
  db: Client<typeof MinIODBService>,
  table: string,
  records: Iterable<RecordInput> | AsyncIterable<RecordInput>,
  options: WriteRecordsOptions = {},
): Promise<WriteRecordsResult> {
  const batchSize = options.batchSize ?? DEFAULT_WRITE_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const headers = options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : undefined;
  const response = await db.streamWrite(batches(table, records, batchSize), {
    signal: options.signal,
    headers,
  });
  return { recordsCount: Number(response.recordsCount), errors: response.errors };
}

async function* batches(
  table: string,
  records: Iterable<RecordInput> | AsyncIterable<RecordInput>,
  batchSize: number,
): AsyncGenerator<StreamWriteRequest> {
  let batch: StreamWriteRequest = create(StreamWriteRequestSchema, { table });
  for await (const record of records) {
    batch.records.push(toDataRecord(record));
    if (batch.records.length >= batchSize) {
      yield batch;
      batch = create(StreamWriteRequestSchema, { table });
    }
  }
  if (batch.records.length > 0) yield batch;
}
