import { create } from "@bufbuild/protobuf";
import { MiniodbError, type ErrorCode } from "@miniodb/core";
import { StreamWriteResponseSchema, WriteDataResponseSchema } from "@miniodb/proto";
import type { DataRecordView } from "@miniodb/proto/views";
import type { RecordInput } from "@miniodb/worker-node";
import type { HandlerContext } from "@connectrpc/connect";
import { IDEMPOTENCY_HEADER, type WriteService } from "../services/write-service.js";
import { recordFromProto, recordFromView } from "./proto-convert.js";
import { DataRecordReader } from "./data-record-reader.js";
import type { IngestDecoder } from "../decode/decode-thread-client.js";
import { StructPayloadReader } from "./struct-payload-reader.js";

/** Error lines a StreamWrite response lists at most; the rest are summarised. */
export const MAX_REPORTED_ERRORS = 1_000;
/** Leaves room for the `#<message index>` suffix within the 255-character key limit. */
const MAX_STREAM_KEY_LENGTH = 240;
/** Error codes that describe the records of a message rather than the server's state. */
const PER_RECORD_CODES = new Set<ErrorCode>(["invalid_argument", "payload_too_large"]);
/** Stream messages being written while the next ones are read. */
const IN_FLIGHT_MESSAGES = 8;

/** WriteData and StreamWrite of MinIODBService, for requests decoded as the public messages. */
export function createWriteRpcs(writes: WriteService, nodeId: string) {
  return createWriteHandlers(writes, nodeId, recordFromProto, recordFromProto, undefined);
}

/**
 * The same, for requests decoded with the write views: payloads as encoded Struct bytes, and
 * StreamWrite records as encoded DataRecords read by `DataRecordReader`. With a `decoder`, the
 * payloads of each StreamWrite message are read by it (on another thread) before the message is
 * written; without, when the records are written.
 */
export function createWriteViewRpcs(writes: WriteService, nodeId: string, decoder?: IngestDecoder) {
  const payloads = new StructPayloadReader();
  const records = new DataRecordReader(payloads);
  return createWriteHandlers<DataRecordView | undefined, Uint8Array>(
    writes,
    nodeId,
    (record) => recordFromView(record, payloads),
    (bytes) => records.read(bytes),
    decoder,
  );
}

function createWriteHandlers<R, S>(
  writes: WriteService,
  nodeId: string,
  toRecord: (record: R | undefined) => RecordInput,
  toStreamRecord: (record: S) => RecordInput,
  decoder: IngestDecoder | undefined,
) {
  return {
    async writeData(request: { table: string; data?: R | undefined }, context: HandlerContext) {
      const key = context.requestHeader.get(IDEMPOTENCY_HEADER) ?? undefined;
      const id = await writes.writeOne(request.table, toRecord(request.data), key);
      return create(WriteDataResponseSchema, { success: true, message: `record ${id} written`, nodeId });
    },
    /** With an idempotency key, message n of a retried stream is applied once, as `<key>#<n>`. */
    async streamWrite(requests: AsyncIterable<{ table: string; records: S[] }>, context: HandlerContext) {
      const key = context.requestHeader.get(IDEMPOTENCY_HEADER) ?? undefined;
      if (key !== undefined && key.length > MAX_STREAM_KEY_LENGTH) {
        throw new MiniodbError(
          "invalid_argument",
          `a StreamWrite idempotency key may have at most ${MAX_STREAM_KEY_LENGTH} characters`,
        );
      }
      let messageIndex = 0;
      const errors: string[] = [];
      let errorCount = 0;
      let written = 0;
      let offset = 0;
      const inFlight = new Set<Promise<void>>();
      /** Settles once the previous message's write has started: writes start in message order. */
      let previousStarted = Promise.resolve();
      let fatal: MiniodbError | undefined;
      const report = (index: number, message: string) => {
        errorCount++;
        if (errors.length < MAX_REPORTED_ERRORS) errors.push(`record ${index}: ${message}`);
      };
      for await (const request of requests) {
        if (fatal) break;
        const messageKey = key && `${key}#${messageIndex++}`;
        if (request.records.length === 0) continue;
        const start = offset;
        offset += request.records.length;
        const records = request.records.map((record) => toStreamRecord(record));
        const task = startInOrder(previousStarted, decoder?.decodeStructs(records), () =>
          writes.writeMany(request.table, records, messageKey),
        );
        previousStarted = task.started;
        const done = task.written
          .then((result) => {
            written += result.written;
            for (const error of result.errors) report(start + error.index, error.message);
          })
          .catch((error: unknown) => {
            const failure = MiniodbError.from(error);
            // Problems of the records themselves are reported per record; anything else (a backend
            // down, a full disk, a bug) ends the stream with its own code so the client can retry.
            if (!PER_RECORD_CODES.has(failure.code)) {
              fatal ??= failure;
              return;
            }
            for (let index = start; index < start + request.records.length; index++)
              report(index, failure.message);
          })
          .finally(() => inFlight.delete(done));
        inFlight.add(done);
        if (inFlight.size >= IN_FLIGHT_MESSAGES) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      if (fatal) throw fatal;
      if (errorCount > errors.length) errors.push(`… and ${errorCount - errors.length} more errors`);
      return create(StreamWriteResponseSchema, {
        success: errorCount === 0,
        recordsCount: BigInt(written),
        errors,
      });
    },
  };
}

const noop = () => undefined;

/**
 * Starts `write` once `ready` (the message's payloads read) and the previous message's write has
 * started, so that writes start in message order (a later message's rows get later sequence
 * numbers). Without `ready`, at once: the previous write started synchronously too.
 */
function startInOrder<T>(
  previousStarted: Promise<void>,
  ready: Promise<void> | undefined,
  write: () => Promise<T>,
): { started: Promise<void>; written: Promise<T> } {
  if (ready === undefined) return { started: previousStarted, written: write() };
  const written = Promise.all([ready, previousStarted]).then(write);
  return { started: written.then(noop, noop), written };
}
