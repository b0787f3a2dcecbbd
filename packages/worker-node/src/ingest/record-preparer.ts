import {
  checkTimestampMicros,
  MiniodbError,
  PayloadSerializer,
  RecordIdValidator,
  type EncodedPayload,
  type SerializedPayload,
  type TableConfig,
} from "@miniodb/core";
import { createIdGenerator } from "./id-generator.js";

/** A record as a client sent it, after the edge decoded its protocol. */
export interface RecordInput {
  /** Empty or absent: generated when the table allows it. */
  readonly id?: string | undefined;
  /** Epoch microseconds; absent means now. */
  readonly timestampMicros?: number | undefined;
  /** The payload as decoded by the edge: must be a JSON object. Ignored with `encodedPayload`. */
  readonly payload?: unknown;
  /**
   * The payload still in its wire form (e.g. an encoded protobuf Struct), read by the worker in
   * one pass into the serialized form; a malformed one fails only its own record.
   */
  readonly encodedPayload?: EncodedPayload | undefined;
}

/** A record that passed every check of its table. */
export interface PreparedRecord {
  readonly id: string;
  readonly timestampMicros: number;
  readonly payload: SerializedPayload;
}

/** Applies one table's id rules, id generation and timestamp default to incoming records. */
export class RecordPreparer {
  readonly #validator: RecordIdValidator;
  readonly #generateId: (() => string) | undefined;
  readonly #nowMicros: () => number;
  /** Payload objects of one shape share their keys and types arrays (see PayloadSerializer). */
  readonly #payloads = new PayloadSerializer();

  constructor(config: TableConfig, nodeId: string, nowMicros: () => number = () => Date.now() * 1000) {
    this.#validator = new RecordIdValidator(config.idValidation);
    this.#generateId = config.autoGenerateId
      ? createIdGenerator(config.idStrategy, config.idPrefix, nodeId, () => Math.floor(nowMicros() / 1000))
      : undefined;
    this.#nowMicros = nowMicros;
  }

  /** Throws invalid_argument naming the first problem of the record. */
  prepare(input: RecordInput): PreparedRecord {
    const payload = input.encodedPayload?.serialize() ?? this.#serializeObject(input.payload);
    let id = input.id ?? "";
    if (id === "") {
      if (!this.#generateId) {
        throw new MiniodbError("invalid_argument", "an id is required: this table does not generate ids", {
          details: { field: "id" },
        });
      }
      id = this.#generateId();
    }
    this.#validator.validate(id);
    const timestampMicros =
      input.timestampMicros === undefined ? this.#nowMicros() : checkTimestampMicros(input.timestampMicros);
    return { id, timestampMicros, payload };
  }

  #serializeObject(payload: unknown): SerializedPayload {
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      throw new MiniodbError("invalid_argument", "payload must be a JSON object", {
        details: { field: "payload" },
      });
    }
    return this.#payloads.serialize(payload as Record<string, unknown>);
  }
}
