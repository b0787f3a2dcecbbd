import type { Client } from "@connectrpc/connect";
import type { MinIODBService } from "@miniodb/proto";
import { fromDataRecord, type MiniodbRecord } from "./record-input.js";

export interface StreamRecordsOptions {
  /** Records per StreamQuery message; 0 lets the server choose (1,000). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs `sql` with StreamQuery and yields its rows as records (`id`, `timestamp` and every other
 * column in `payload`) as the server produces them; memory stays bounded on both sides. Stopping
 * early (`break`) cancels the stream and frees the server's query slot.
 */
export async function* streamRecords(
  db: Client<typeof MinIODBService>,
  sql: string,
  options: StreamRecordsOptions = {},
): AsyncGenerator<MiniodbRecord, void, undefined> {
  const controller = new AbortController();
  const abort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    const messages = db.streamQuery(
      { sql, batchSize: options.batchSize ?? 0 },
      { signal: controller.signal },
    );
    for await (const message of messages) {
      for (const record of message.records) yield fromDataRecord(record);
    }
  } finally {
    options.signal?.removeEventListener("abort", abort);
    controller.abort();
  }
}
