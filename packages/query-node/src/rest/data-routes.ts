import type { Context, Hono } from "hono";
import { WriteDataRequestSchema, WriteRequestSchema } from "@miniodb/proto";
import type { RecordError, RecordInput } from "@miniodb/worker-node";
import type { IngestDecoder } from "../decode/decode-thread-client.js";
import type { RestBatch } from "../decode/rest-batch.js";
import { recordFromProto } from "../rpc/proto-convert.js";
import { hasIdempotencyKey, IDEMPOTENCY_HEADER, type WriteService } from "../services/write-service.js";
import { messageFromJson, readJsonBody } from "./rest-body.js";
import { noteRequest } from "../observability/request-context.js";

/**
 * `POST /v1/data`: one record, in the README form `{table, data: {id, timestamp, payload}}` or the
 * flat form `{table, id, timestamp, payload}`.
 *
 * `POST /v1/data/batch`: many records of one table, as `{table, records: [...]}`, as a JSON array
 * of records with `?table=`, or as NDJSON (`Content-Type: application/x-ndjson`, one record per
 * line) with `?table=`. Invalid records are reported by index; the valid ones are written.
 */
export function addDataRoutes(app: Hono, writes: WriteService, nodeId: string, decoder: IngestDecoder): void {
  app.post("/v1/data", async (context) => {
    const { table, record } = parseWriteBody(await readJsonBody(context));
    const id = await writes.writeOne(table, record, context.req.header(IDEMPOTENCY_HEADER));
    return context.json({ success: true, message: `record ${id} written`, node_id: nodeId, id });
  });

  app.post("/v1/data/batch", async (context) => {
    const key = context.req.header(IDEMPOTENCY_HEADER);
    // A keyed write's plan is logged from its records; others may skip making them.
    const asLines = writes.routesRowLines && !hasIdempotencyKey(key);
    const { batch, table } = await readBatch(context, decoder, asLines);
    const { parseErrors } = batch;
    noteRequest({ rejected: parseErrors.length });
    let result: { written: number; errors: readonly RecordError[] };
    let indexOf = (index: number) => index;
    if (asLines && batch.rowLines) {
      // Every item was a complete record: the records are the body's items, index for index.
      result = await writes.writeRowLines(table, batch.rowLines);
    } else {
      const { records } = batch;
      writes.checkBatchSize(records.length + parseErrors.length);
      const valid = records.map((entry) => entry.record);
      result = valid.length > 0 ? await writes.writeMany(table, valid, key) : { written: 0, errors: [] };
      indexOf = (index) => records[index]!.index;
    }
    const errors = [
      ...parseErrors,
      ...result.errors.map((error) => ({ ...error, index: indexOf(error.index) })),
    ].sort((a, b) => a.index - b.index);
    const body = {
      success: errors.length === 0,
      records_count: result.written,
      errors: errors.map((error) => `record ${error.index}: ${error.message}`),
    };
    return context.json(body, result.written === 0 && errors.length > 0 ? 400 : 200);
  });
}

/** The README form carries the record under `data`; the flat form carries its fields inline. */
function parseWriteBody(body: unknown): { table: string; record: RecordInput } {
  if (typeof body === "object" && body !== null && "data" in body) {
    const request = messageFromJson(WriteDataRequestSchema, body);
    return { table: request.table, record: recordFromProto(request.data) };
  }
  const request = messageFromJson(WriteRequestSchema, body);
  return { table: request.table, record: recordFromProto(request) };
}

/** The body of a batch request as the decoder reads it; `?table=` unless the body names one. */
async function readBatch(
  context: Context,
  decoder: IngestDecoder,
  rowLines: boolean,
): Promise<{ batch: RestBatch; table: string }> {
  const contentType = context.req.header("content-type") ?? "";
  const bytes = new Uint8Array(await context.req.arrayBuffer());
  const ndjson = /ndjson|jsonl|json-seq/i.test(contentType);
  const batch = await decoder.readRestBatch({ bytes, ndjson, rowLines });
  return { batch, table: batch.table ?? context.req.query("table") ?? "" };
}
