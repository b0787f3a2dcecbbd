import type { MiniodbClient, RecordInput } from "@miniodb/client";
import type { RecordSource } from "./record-sources.js";
import { toRecordInput, type RecordFields } from "./to-record-input.js";

export interface ImportOptions {
  readonly fields: RecordFields;
  readonly batchSize: number;
  /** Called as the input is read (the transport pulls records as the server takes them). */
  readonly onProgress?: (progress: number, records: number) => void;
  /** Called once per rejected record, with its line (or element) number. */
  readonly onRejected?: (problem: string) => void;
}

export interface ImportResult {
  readonly read: number;
  readonly written: number;
  readonly rejected: number;
}

const SERVER_RECORD_ERROR = /^record (\d+): ([\s\S]*)$/;

/**
 * Writes every record of `source` to `table` over one StreamWrite (batched, with backpressure).
 * Records the input itself gets wrong are rejected here; records the server rejects are reported
 * with their input line. A server or connection failure rejects the returned promise.
 */
export async function importRecords(
  client: MiniodbClient,
  table: string,
  source: RecordSource,
  options: ImportOptions,
): Promise<ImportResult> {
  /** `locations[i]` is the input line (or element) of the i-th record sent. */
  const locations: number[] = [];
  let read = 0;
  let rejectedHere = 0;
  const reject = (location: number, message: string) => {
    rejectedHere++;
    options.onRejected?.(`${source.unit} ${location}: ${message}`);
  };
  async function* records(): AsyncGenerator<RecordInput> {
    for await (const item of source.items) {
      read++;
      options.onProgress?.(item.progress, read);
      if (item.error !== undefined) {
        reject(item.location, item.error);
        continue;
      }
      let record: RecordInput;
      try {
        record = toRecordInput(item.value, options.fields);
      } catch (error) {
        reject(item.location, (error as Error).message);
        continue;
      }
      locations.push(item.location);
      yield record;
    }
  }
  const result = await client.writeRecords(table, records(), { batchSize: options.batchSize });
  for (const error of result.errors) {
    const match = SERVER_RECORD_ERROR.exec(error);
    const location = match && locations[Number(match[1])];
    options.onRejected?.(
      location === undefined || !match ? error : `${source.unit} ${location}: ${match[2]}`,
    );
  }
  return {
    read,
    written: result.recordsCount,
    rejected: rejectedHere + (locations.length - result.recordsCount),
  };
}
