import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import type { ColumnBatch, ResultColumn } from "@miniodb/executor";
import {
  DataRecordSchema,
  StreamQueryResponseSchema,
  type DataRecord,
  type StreamQueryResponse,
} from "@miniodb/proto";
import { StreamQueryResponseViewSchema, type StreamQueryResponseView } from "@miniodb/proto/views";
import type { QueryService } from "../services/query-service.js";
import { microsToTimestamp } from "./proto-convert.js";
import { RecordBytesWriter } from "./record-bytes-writer.js";
import { noteRequest } from "../observability/request-context.js";

/**
 * How result columns become DataRecord fields: a VARCHAR column named `id` fills `id`, a
 * timestamp column named `timestamp` fills `timestamp`, every other column is a payload key (so
 * `SELECT *` streams records back as they were written).
 */
export interface RecordLayout {
  readonly idIndex: number;
  readonly timestampIndex: number;
  readonly payload: ReadonlyArray<{ readonly name: string; readonly index: number }>;
}

export function recordLayout(columns: readonly ResultColumn[]): RecordLayout {
  const idIndex = columns.findIndex((column) => column.name === "id" && column.type === "VARCHAR");
  const timestampIndex = columns.findIndex(
    (column) => column.name === "timestamp" && column.kind === "timestamp",
  );
  const payload = columns
    .map((column, index) => ({ name: column.name, index }))
    .filter(({ index }) => index !== idIndex && index !== timestampIndex);
  return { idIndex, timestampIndex, payload };
}

/** Collects one batch of records and turns batches into response messages. */
export interface RecordSink<Batch, Message> {
  add(layout: RecordLayout, values: ColumnBatch["values"], row: number): void;
  /** The records added since the last seal. */
  seal(): Batch;
  message(batch: Batch, hasMore: boolean): Message;
}

/**
 * Every row of the result in messages of `batchSize` records, each sent once the next row shows
 * whether it is the last (`has_more` false on the last one). An empty result is one empty message.
 */
export async function* streamRecords<Batch, Message>(
  queries: QueryService,
  sql: string,
  batchSize: number,
  sink: RecordSink<Batch, Message>,
  signal?: AbortSignal,
): AsyncGenerator<Message> {
  let count = 0;
  let full: Batch | undefined;
  for await (const batch of queries.stream(sql, signal)) {
    const layout = recordLayout(batch.columns);
    for (let row = 0; row < batch.rowCount; row++) {
      if (full !== undefined) {
        noteRequest({ batches: 1, rows: batchSize });
        yield sink.message(full, true);
        full = undefined;
      }
      sink.add(layout, batch.values, row);
      if (++count === batchSize) {
        full = sink.seal();
        count = 0;
      }
    }
  }
  noteRequest({ batches: 1, rows: full === undefined ? count : batchSize });
  yield sink.message(full ?? sink.seal(), false);
}

const idOf = (layout: RecordLayout, values: ColumnBatch["values"], row: number) =>
  layout.idIndex < 0 ? undefined : ((values[layout.idIndex]![row] as string | null) ?? undefined);
const microsOf = (layout: RecordLayout, values: ColumnBatch["values"], row: number) =>
  layout.timestampIndex < 0
    ? undefined
    : ((values[layout.timestampIndex]![row] as number | null) ?? undefined);

/** Records as encoded bytes, for the StreamQuery response view (binary clients). */
export function recordBytesSink(): RecordSink<Uint8Array[], StreamQueryResponseView> {
  const writer = new RecordBytesWriter();
  return {
    add(layout, values, row) {
      writer.startRecord(idOf(layout, values, row), microsOf(layout, values, row));
      for (const { name, index } of layout.payload)
        writer.payloadField(name, values[index]![row] as JsonValue);
      writer.endRecord();
    },
    seal: () => writer.take(),
    message: (records, hasMore) => create(StreamQueryResponseViewSchema, { records, hasMore, cursor: "" }),
  };
}

/** Records as DataRecord messages, for JSON clients. */
export function recordMessageSink(): RecordSink<DataRecord[], StreamQueryResponse> {
  let records: DataRecord[] = [];
  return {
    add(layout, values, row) {
      const payload: JsonObject = {};
      for (const { name, index } of layout.payload) setKey(payload, name, values[index]![row] as JsonValue);
      const micros = microsOf(layout, values, row);
      records.push(
        create(DataRecordSchema, {
          id: idOf(layout, values, row) ?? "",
          payload,
          ...(micros === undefined ? {} : { timestamp: microsToTimestamp(micros) }),
        }),
      );
    },
    seal() {
      const batch = records;
      records = [];
      return batch;
    },
    message: (batch, hasMore) => create(StreamQueryResponseSchema, { records: batch, hasMore, cursor: "" }),
  };
}

/** `object[key] = value`, also for a key called `__proto__` (a plain assignment would drop it). */
function setKey(object: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__")
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
