import { MiniodbError, type ErrorCode, type PayloadSerializer } from "@miniodb/core";
import {
  RowBlockLinesWriter,
  type RecordError,
  type RecordInput,
  type RowBlockLines,
} from "@miniodb/worker-node";
import { recordFromJson } from "../rest/record-json.js";
import { parseJsonText } from "../rest/rest-body.js";
import {
  DecodedPayloadsBuilder,
  payloadOutcomes,
  SettledPayload,
  type DecodedPayloads,
} from "./decoded-payloads.js";

/** The body of a `POST /v1/data/batch`, as received. */
export interface RestBatchBody {
  readonly bytes: Uint8Array;
  /** NDJSON (one record per line) rather than one JSON document. */
  readonly ndjson: boolean;
  /** Also write the records as row-block lines, for a query node to route (see DecodedRestBatch.rowLines). */
  readonly rowLines?: boolean | undefined;
}

/**
 * A batch body read in a form that crosses threads cheaply: the records that could be read (item
 * `indexes[i]` of the body, with `ids[i]`, `micros[i]` (NaN: none) and payload `i` of
 * `payloads`), the items that could not, and the table the body names, if any. `bodyError`: the
 * body as a whole is unusable.
 */
export interface DecodedRestBatch {
  readonly bodyError?: { readonly code: ErrorCode; readonly message: string };
  readonly table?: string;
  readonly indexes: Int32Array;
  readonly ids: Array<string | undefined>;
  readonly micros: Float64Array;
  readonly payloads: DecodedPayloads;
  readonly parseErrors: RecordError[];
  /**
   * Asked for (`RestBatchBody.rowLines`), every item a record with an id and a payload object, and
   * at most MAX_LINE_SHAPES shapes: each record's row-block line, record `i` on line `i`.
   */
  readonly rowLines?: RowBlockLines;
}

/** Records of a batch body, by their index in it, and the items that are not records. */
export interface RestBatch {
  readonly table: string | undefined;
  /** Made on first use: a batch written from its row lines never makes them. */
  readonly records: ReadonlyArray<{ readonly index: number; readonly record: RecordInput }>;
  readonly parseErrors: RecordError[];
  /** Every item was a complete record: their ids and row-block lines, by index (see DecodedRestBatch). */
  readonly rowLines?: RoutableLines | undefined;
}

/** A batch's records as row-block lines ready to route: record `i` has id `ids[i]` and line `i`. */
export interface RoutableLines {
  readonly ids: readonly string[];
  readonly lines: RowBlockLines;
}

const decoder = new TextDecoder();

/** Most distinct payload shapes a batch routed as row-block lines may have. */
const MAX_LINE_SHAPES = 64;

/**
 * Reads a batch body: NDJSON lines or a JSON array of records or `{table, records: [...]}`. Each
 * record is checked as `recordFromJson` checks it and its payload serialized (`serializer`), so
 * that nothing of it is left to parse when it is written.
 */
export function decodeRestBatch(serializer: PayloadSerializer, body: RestBatchBody): DecodedRestBatch {
  const text = decoder.decode(body.bytes);
  let items: unknown[];
  let table: string | undefined;
  if (body.ndjson) {
    items = text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return new MiniodbError("invalid_argument", "the line is not valid JSON");
        }
      });
  } else {
    let parsed: unknown;
    try {
      parsed = parseJsonText(text);
    } catch (error) {
      return emptyBatch(MiniodbError.from(error));
    }
    if (Array.isArray(parsed)) items = parsed;
    else if (
      typeof parsed === "object" &&
      parsed !== null &&
      Array.isArray((parsed as { records?: unknown }).records)
    ) {
      const batch = parsed as { table?: unknown; records: unknown[] };
      if (typeof batch.table === "string" && batch.table !== "") table = batch.table;
      items = batch.records;
    } else
      return emptyBatch(
        new MiniodbError(
          "invalid_argument",
          'expected {"table": ..., "records": [...]}, a JSON array or NDJSON',
        ),
      );
  }
  const indexes: number[] = [];
  const ids: Array<string | undefined> = [];
  const micros: number[] = [];
  const payloads = new DecodedPayloadsBuilder();
  const parseErrors: RecordError[] = [];
  // Dropped at the first item that is not a complete record: the writer then reads the records.
  let lines = body.rowLines ? new RowBlockLinesWriter() : undefined;
  items.forEach((item, index) => {
    let record: RecordInput;
    try {
      if (item instanceof MiniodbError) throw item;
      record = recordFromJson(item);
    } catch (error) {
      const message =
        error instanceof MiniodbError ? error.message : `invalid record: ${(error as Error).message}`;
      parseErrors.push({ index, code: "invalid_argument", message });
      lines = undefined;
      return;
    }
    indexes.push(index);
    ids.push(record.id);
    micros.push(record.timestampMicros ?? Number.NaN);
    const payload = record.payload;
    // Anything but an object is left to the writer, which rejects it with its own error.
    const serialized =
      typeof payload === "object" && payload !== null && !Array.isArray(payload)
        ? payloads.add(() => serializer.serialize(payload as Record<string, unknown>))
        : payloads.skip();
    if (!lines) return;
    // recordFromJson checked the timestamp's range already.
    if (!serialized || !record.id) lines = undefined;
    else lines.add(record.id, record.timestampMicros, serialized);
    // Every worker's block carries all of the batch's shapes: with many, blocks per worker are
    // smaller with only their own (as records are sent).
    if (lines && lines.shapeCount > MAX_LINE_SHAPES) lines = undefined;
  });
  return {
    ...(table === undefined ? {} : { table }),
    indexes: Int32Array.from(indexes),
    ids,
    micros: Float64Array.from(micros),
    payloads: payloads.build(),
    parseErrors,
    ...(lines && lines.count > 0 ? { rowLines: lines.build() } : {}),
  };
}

/** The records of a decoded batch; throws its body error. */
export function restBatchOf(decoded: DecodedRestBatch): RestBatch {
  if (decoded.bodyError) throw new MiniodbError(decoded.bodyError.code, decoded.bodyError.message);
  let records: RestBatch["records"] | undefined;
  const { rowLines } = decoded;
  return {
    table: decoded.table,
    get records() {
      return (records ??= recordsOf(decoded));
    },
    parseErrors: decoded.parseErrors,
    ...(rowLines ? { rowLines: { ids: decoded.ids as string[], lines: rowLines } } : {}),
  };
}

function recordsOf(decoded: DecodedRestBatch): RestBatch["records"] {
  const outcomes = payloadOutcomes(decoded.payloads);
  return Array.from(decoded.indexes, (index, i) => {
    const timestamp = decoded.micros[i]!;
    const outcome = outcomes[i];
    const record: RecordInput = {
      id: decoded.ids[i],
      timestampMicros: Number.isNaN(timestamp) ? undefined : timestamp,
      encodedPayload: outcome && new SettledPayload(outcome),
    };
    return { index, record };
  });
}

function emptyBatch(error: MiniodbError): DecodedRestBatch {
  return {
    bodyError: { code: error.code, message: error.message },
    indexes: new Int32Array(0),
    ids: [],
    micros: new Float64Array(0),
    payloads: new DecodedPayloadsBuilder().build(),
    parseErrors: [],
  };
}
