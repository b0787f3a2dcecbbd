import type { Context, Hono } from "hono";
import { MiniodbError } from "@miniodb/core";
import { WriteDataRequestSchema, WriteRequestSchema } from "@miniodb/proto";
import type { RecordInput, RecordError } from "@miniodb/worker-node";
import { recordFromProto } from "../rpc/proto-convert.js";
import { IDEMPOTENCY_HEADER, type WriteService } from "../services/write-service.js";
import { recordFromJson } from "./record-json.js";
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
export function addDataRoutes(app: Hono, writes: WriteService, nodeId: string): void {
  app.post("/v1/data", async (context) => {
    const { table, record } = parseWriteBody(await readJsonBody(context));
    const id = await writes.writeOne(table, record, context.req.header(IDEMPOTENCY_HEADER));
    return context.json({ success: true, message: `record ${id} written`, node_id: nodeId, id });
  });

  app.post("/v1/data/batch", async (context) => {
    const { table, records, parseErrors } = await readBatch(context);
    noteRequest({ rejected: parseErrors.length });
    writes.checkBatchSize(records.length + parseErrors.length);
    const valid = records.map((entry) => entry.record);
    const key = context.req.header(IDEMPOTENCY_HEADER);
    const result = valid.length > 0 ? await writes.writeMany(table, valid, key) : { written: 0, errors: [] };
    const errors = [
      ...parseErrors,
      ...result.errors.map((error) => ({ ...error, index: records[error.index]!.index })),
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

interface BatchEntry {
  readonly index: number;
  readonly record: RecordInput;
}

async function readBatch(context: Context) {
  const contentType = context.req.header("content-type") ?? "";
  let table = context.req.query("table") ?? "";
  let items: unknown[];
  if (/ndjson|jsonl|json-seq/i.test(contentType)) {
    const lines = (await context.req.text()).split("\n").filter((line) => line.trim() !== "");
    items = lines.map((line) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        return new MiniodbError("invalid_argument", "the line is not valid JSON");
      }
    });
  } else {
    const body = await readJsonBody(context);
    if (Array.isArray(body)) items = body;
    else if (
      typeof body === "object" &&
      body !== null &&
      Array.isArray((body as { records?: unknown }).records)
    ) {
      const batch = body as { table?: unknown; records: unknown[] };
      if (typeof batch.table === "string" && batch.table !== "") table = batch.table;
      items = batch.records;
    } else
      throw new MiniodbError(
        "invalid_argument",
        'expected {"table": ..., "records": [...]}, a JSON array or NDJSON',
      );
  }
  const records: BatchEntry[] = [];
  const parseErrors: RecordError[] = [];
  items.forEach((item, index) => {
    try {
      if (item instanceof MiniodbError) throw item;
      records.push({ index, record: recordFromJson(item) });
    } catch (error) {
      const message =
        error instanceof MiniodbError ? error.message : `invalid record: ${(error as Error).message}`;
      parseErrors.push({ index, code: "invalid_argument", message });
    }
  });
  return { table, records, parseErrors };
}
