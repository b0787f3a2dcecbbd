import { fromBinary } from "@bufbuild/protobuf";
import { MinIODBService, StreamWriteResponseSchema, WriteDataResponseSchema } from "@miniodb/proto";
import { Latencies } from "./latency.js";
import { GrpcCallError, type RawGrpcConnection } from "./raw-grpc.js";

/** What one scenario wrote; `latencies` are per acknowledged request, when there is one per request. */
export interface ScenarioResult {
  readonly rows: number;
  readonly seconds: number;
  readonly errors: number;
  readonly latencies?: Latencies;
}

const STREAM_WRITE_PATH = `/${MinIODBService.typeName}/${MinIODBService.method.streamWrite.name}`;
const WRITE_DATA_PATH = `/${MinIODBService.typeName}/${MinIODBService.method.writeData.name}`;

/**
 * `rows` rows over `streams` concurrent StreamWrite calls on one connection. Stream `s` cycles the
 * frames whose index is `s` modulo `streams`, so concurrent streams never send the same ids.
 */
export async function streamWriteScenario(
  connection: RawGrpcConnection,
  options: { frames: readonly Buffer[]; batchRows: number; rows: number; streams: number },
): Promise<ScenarioResult> {
  const { frames, batchRows, streams } = options;
  const messagesPerStream = Math.ceil(options.rows / batchRows / streams);
  const oneStream = async (s: number) => {
    const own = frames.filter((_, index) => index % streams === s);
    function* messages() {
      for (let m = 0; m < messagesPerStream; m++) yield own[m % own.length]!;
    }
    const bytes = await connection.clientStream(STREAM_WRITE_PATH, messages());
    return fromBinary(StreamWriteResponseSchema, bytes);
  };
  const started = performance.now();
  const responses = await Promise.all(Array.from({ length: streams }, (_, s) => oneStream(s)));
  return {
    rows: responses.reduce((sum, response) => sum + Number(response.recordsCount), 0),
    seconds: (performance.now() - started) / 1000,
    errors: responses.reduce((sum, response) => sum + response.errors.length, 0),
  };
}

/** Unary WriteData calls for `seconds`, `concurrency` in flight on one connection. */
export async function writeDataScenario(
  connection: RawGrpcConnection,
  options: { frames: readonly Buffer[]; seconds: number; concurrency: number },
): Promise<ScenarioResult> {
  const { frames } = options;
  const latencies = new Latencies();
  const deadline = performance.now() + options.seconds * 1000;
  let next = 0;
  let errors = 0;
  const caller = async () => {
    while (performance.now() < deadline) {
      const frame = frames[next++ % frames.length]!;
      const t0 = performance.now();
      try {
        const response = fromBinary(WriteDataResponseSchema, await connection.unary(WRITE_DATA_PATH, frame));
        if (!response.success) errors++;
      } catch (error) {
        if (!(error instanceof GrpcCallError)) throw error;
        errors++;
        continue;
      }
      latencies.add(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  const seconds = (performance.now() - started) / 1000;
  return { rows: latencies.count, seconds, errors, latencies };
}

/** `rows` rows as NDJSON bodies POSTed to `/v1/data/batch` by `clients` concurrent clients. */
export async function restBatchScenario(
  restUrl: string,
  options: { bodies: readonly string[]; bodyRows: number; rows: number; clients: number },
): Promise<ScenarioResult> {
  const { bodies, bodyRows } = options;
  const latencies = new Latencies();
  let next = 0;
  let written = 0;
  let errors = 0;
  const client = async () => {
    while (next < options.rows) {
      const body = bodies[(next / bodyRows) % bodies.length]!;
      next += bodyRows;
      const t0 = performance.now();
      const response = await fetch(`${restUrl}/v1/data/batch?table=bench_rest`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body,
      });
      const result = (await response.json()) as { records_count?: number; errors?: unknown[] };
      latencies.add(performance.now() - t0);
      written += result.records_count ?? 0;
      if (!response.ok) errors++;
      errors += result.errors?.length ?? 0;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.clients }, client));
  return { rows: written, seconds: (performance.now() - started) / 1000, errors, latencies };
}
