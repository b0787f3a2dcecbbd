import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { DataRecordSchema, StreamWriteRequestSchema, WriteDataRequestSchema } from "@miniodb/proto";
import { grpcFrame } from "./raw-grpc.js";

/**
 * The rows the ingest benchmark writes, prepared once before the clock starts: protobuf messages
 * are encoded with `toBinary` and framed for gRPC, NDJSON bodies are serialised. Encoding a
 * `google.protobuf.Struct` costs ~0.1 ms per row in protobuf-es, so the scenarios cycle a fixed
 * set of these; ids are distinct within a set and repeat across cycles.
 */

const BASE_MS = Date.UTC(2026, 10, 1);
const COUNTRIES = ["NO", "SE", "DK", "FI", "IS"] as const;
const PLANS = ["free", "pro", "team"] as const;

/** The payload of row `i`: ten fields of strings, numbers and booleans. */
export function payload(i: number) {
  return {
    user: `user-${i % 100_000}`,
    age: 18 + (i % 60),
    score: (i % 1000) / 10,
    country: COUNTRIES[i % 5]!,
    active: i % 3 === 0,
    visits: i % 500,
    plan: PLANS[i % 3]!,
    device: `device-${i % 37}`,
    latency_ms: (i * 7) % 900,
    region: `r${i % 12}`,
  };
}

function record(id: string, i: number) {
  return create(DataRecordSchema, { id, timestamp: timestampFromMs(BASE_MS + i * 10), payload: payload(i) });
}

/** `batches` framed StreamWriteRequests of `batchRows` rows each, ids `s-0`, `s-1`, ... */
export function streamWriteFrames(table: string, batches: number, batchRows: number): Buffer[] {
  return Array.from({ length: batches }, (_, batch) => {
    const records = Array.from({ length: batchRows }, (_, j) => {
      const i = batch * batchRows + j;
      return record(`s-${i}`, i);
    });
    return grpcFrame(
      toBinary(StreamWriteRequestSchema, create(StreamWriteRequestSchema, { table, records })),
    );
  });
}

/** `count` framed WriteDataRequests of one row each, ids `u-0`, `u-1`, ... */
export function writeDataFrames(table: string, count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    grpcFrame(
      toBinary(WriteDataRequestSchema, create(WriteDataRequestSchema, { table, data: record(`u-${i}`, i) })),
    ),
  );
}

/** `count` NDJSON bodies of `bodyRows` rows each, ids `r-0`, `r-1`, ... */
export function ndjsonBodies(count: number, bodyRows: number): string[] {
  return Array.from({ length: count }, (_, body) =>
    Array.from({ length: bodyRows }, (_, j) => {
      const i = body * bodyRows + j;
      return JSON.stringify({
        id: `r-${i}`,
        timestamp: new Date(BASE_MS + i * 10).toISOString(),
        payload: payload(i),
      });
    }).join("\n"),
  );
}
