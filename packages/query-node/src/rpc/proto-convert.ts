import { create } from "@bufbuild/protobuf";
import { timestampFromMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import {
  MiniodbError,
  type EncodedPayload,
  type IdStrategy,
  type SerializedPayload,
  type TableConfig,
} from "@miniodb/core";
import {
  IDValidationRulesSchema,
  TableConfigSchema,
  TableInfoSchema,
  TableStatsSchema,
  type DataRecord,
  type TableConfig as TableConfigMessage,
  type TableInfo,
} from "@miniodb/proto";
import type { DataRecordView } from "@miniodb/proto/views";
import type { RecordInput } from "@miniodb/worker-node";
import type { TableView } from "../services/table-service.js";
import type { StructPayloadReader } from "./struct-payload-reader.js";

/** Epoch microseconds of a protobuf Timestamp (sub-microsecond digits are dropped). */
export function timestampToMicros(timestamp: Timestamp): number {
  return Number(timestamp.seconds) * 1_000_000 + Math.floor(timestamp.nanos / 1000);
}

export function microsToTimestamp(micros: number): Timestamp {
  const millis = Math.floor(micros / 1000);
  const timestamp = timestampFromMs(millis);
  timestamp.nanos += (micros - millis * 1000) * 1000;
  return timestamp;
}

/** A DataRecord, or the flat WriteRequest that carries the same fields. */
type RecordFields = Pick<DataRecord, "id" | "timestamp" | "payload">;

export function recordFromProto(record: RecordFields | undefined): RecordInput {
  return {
    id: record?.id,
    timestampMicros: record?.timestamp ? timestampToMicros(record.timestamp) : undefined,
    payload: record?.payload,
  };
}

/**
 * A record of a request decoded with the write views: its payload stays the encoded Struct until
 * the worker reads it (a malformed one then fails only this record). An absent payload is
 * rejected like an absent object.
 */
export function recordFromView(record: DataRecordView | undefined, reader: StructPayloadReader): RecordInput {
  const bytes = record?.payload;
  return {
    id: record?.id,
    timestampMicros: record?.timestamp ? timestampToMicros(record.timestamp) : undefined,
    encodedPayload: bytes && new StructBytes(bytes, 0, bytes.length, reader),
  };
}

/** A payload as the encoded Struct bytes of a view, read when the worker asks for it. */
export class StructBytes implements EncodedPayload {
  /** The payload is `source[start, end)`: no view is made of it unless it is read here. */
  readonly source: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly #reader: StructPayloadReader;
  /** The reader's answer, when another thread already read the bytes (see `settle`). */
  #settled: SerializedPayload | MiniodbError | undefined;

  constructor(source: Uint8Array, start: number, end: number, reader: StructPayloadReader) {
    this.source = source;
    this.start = start;
    this.end = end;
    this.#reader = reader;
  }

  /** Records what a `StructPayloadReader` made of these bytes elsewhere: `serialize` answers it. */
  settle(outcome: SerializedPayload | MiniodbError): void {
    this.#settled = outcome;
  }

  serialize(): SerializedPayload {
    const settled = this.#settled;
    if (settled === undefined) return this.#reader.read(this.source.subarray(this.start, this.end));
    if (settled instanceof MiniodbError) throw settled;
    return settled;
  }
}

/** The fields a request set; zero values are left for the defaults. */
export function tableConfigFromProto(config: TableConfigMessage | undefined): Partial<TableConfig> {
  if (!config) return {};
  const rules = config.idValidation;
  return {
    bufferSize: config.bufferSize,
    flushIntervalSeconds: config.flushIntervalSeconds,
    retentionDays: config.retentionDays,
    backupEnabled: config.backupEnabled,
    properties: config.properties,
    idStrategy: config.idStrategy as IdStrategy,
    idPrefix: config.idPrefix,
    autoGenerateId: config.autoGenerateId,
    idValidation: rules
      ? { maxLength: rules.maxLength, pattern: rules.pattern, allowedChars: rules.allowedChars }
      : {},
  };
}

export function tableConfigToProto(config: TableConfig): TableConfigMessage {
  return create(TableConfigSchema, {
    bufferSize: config.bufferSize,
    flushIntervalSeconds: config.flushIntervalSeconds,
    retentionDays: config.retentionDays,
    backupEnabled: config.backupEnabled,
    properties: { ...config.properties },
    idStrategy: config.idStrategy,
    idPrefix: config.idPrefix,
    autoGenerateId: config.autoGenerateId,
    idValidation: create(IDValidationRulesSchema, {
      maxLength: config.idValidation.maxLength ?? 0,
      pattern: config.idValidation.pattern ?? "",
      allowedChars: config.idValidation.allowedChars ?? "",
    }),
  });
}

export function tableInfoToProto(view: TableView): TableInfo {
  const { stats } = view;
  return create(TableInfoSchema, {
    name: view.entry.name,
    config: tableConfigToProto(view.entry.config),
    createdAt: timestampFromMs(view.entry.createdAt.getTime()),
    lastWrite: view.lastWrite ? timestampFromMs(view.lastWrite.getTime()) : undefined,
    status: view.status,
    stats: create(TableStatsSchema, {
      recordCount: BigInt(stats.recordCount),
      fileCount: BigInt(stats.fileCount),
      sizeBytes: BigInt(stats.sizeBytes),
      oldestRecord:
        stats.oldestRecordMicros === undefined ? undefined : microsToTimestamp(stats.oldestRecordMicros),
      newestRecord:
        stats.newestRecordMicros === undefined ? undefined : microsToTimestamp(stats.newestRecordMicros),
    }),
  });
}
