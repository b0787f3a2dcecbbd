import { randomUUID } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { once } from "node:events";
import { join } from "node:path";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { MiniodbError, type NodeEntry } from "@miniodb/core";
import { Encoding, type ColumnSchema, type TableInputSchema } from "@miniodb/proto/cluster";
import type { WorkerCapture } from "./cluster-buffers.js";
import { unreachable } from "./cluster-buffers.js";
import type { WorkerClients } from "./worker-clients.js";
import { fromWorkerError } from "./worker-errors.js";

export type FragmentInput = MessageInitShape<typeof TableInputSchema>;

/** One worker's share of a fragment: its files (by index into the table's files) and its capture. */
export interface FragmentPart<F> {
  readonly worker: NodeEntry;
  readonly files: readonly F[];
  readonly capture?: WorkerCapture | undefined;
}

/**
 * A fragment's result: a local Parquet file, or (small results) the values by column as DuckDB's
 * text of them (null for NULL), to be cast back to `columns`' types.
 */
export interface FragmentOutput {
  readonly path?: string | undefined;
  readonly text?: readonly (readonly (string | null)[])[] | undefined;
  readonly columns: readonly ColumnSchema[];
  readonly rowCount: number;
  readonly rowsScanned: number;
  readonly worker: string;
  /** The worker's buffer capture, kept for the query's next fragment (FragmentInput.keepCapture). */
  readonly keptCapture?: { readonly captureId: string; readonly rowCount: number } | undefined;
}

export interface DispatchOptions<F> {
  readonly clients: WorkerClients;
  readonly sql: string;
  /** Where Parquet results are written; created when the first one arrives. */
  readonly directory: string;
  /** Largest result (rows × columns) a worker may send inline as text instead of as Parquet. */
  readonly inlineMaxCells: number;
  /** The rows each part's result is expected to hold (ExecuteFragmentRequest.expected_rows); 0: unknown. */
  readonly expectedRows?: number | undefined;
  /** The request input of a part (its files and capture). */
  readonly inputOf: (part: FragmentPart<F>) => FragmentInput;
  /** Live workers now, for retries. */
  readonly liveWorkers: () => Promise<readonly NodeEntry[]>;
  readonly requestId?: string | undefined;
}

/**
 * Runs the parts on their workers in parallel and collects every result. A worker that cannot be
 * reached or fails mid-stream has its files retried on another live worker; its buffer cannot be
 * read elsewhere, so a failing worker whose capture held rows (or was to be taken in the call)
 * fails the query with unavailable.
 * Never a partial answer: any part that cannot be completed fails the whole query.
 */
export async function dispatchFragments<F>(
  parts: readonly FragmentPart<F>[],
  options: DispatchOptions<F>,
): Promise<FragmentOutput[]> {
  const failed = new Set<string>();
  const run = async (part: FragmentPart<F>): Promise<FragmentOutput | undefined> => {
    try {
      return await fetchFragment(part, options);
    } catch (error) {
      const failure = fromWorkerError(error, part.worker);
      if (failure.code !== "unavailable") throw failure;
      failed.add(part.worker.id);
      if (part.capture && (part.capture.rowCount > 0 || part.capture.inFragment))
        throw unreachable(part.worker, failure);
      if (part.files.length === 0) return undefined;
      const others = (await options.liveWorkers()).filter((worker) => !failed.has(worker.id));
      if (others.length === 0) throw unreachable(part.worker, failure);
      const next = others[Math.floor(Math.random() * others.length)]!;
      return run({ worker: next, files: part.files });
    }
  };
  const settled = await Promise.allSettled(parts.map(run));
  const outputs: FragmentOutput[] = [];
  for (const result of settled) if (result.status === "fulfilled" && result.value) outputs.push(result.value);
  const rejected = settled.find((result) => result.status === "rejected");
  if (rejected) {
    await Promise.all(outputs.map((output) => output.path && rm(output.path, { force: true })));
    throw rejected.reason;
  }
  return outputs;
}

/** Receives one part's result: inline text columns, or streamed into a new file of the directory. */
async function fetchFragment<F>(part: FragmentPart<F>, options: DispatchOptions<F>): Promise<FragmentOutput> {
  const path = join(options.directory, `${randomUUID()}.parquet`);
  let file: WriteStream | undefined;
  let columns: readonly ColumnSchema[] | undefined;
  let rowCount = 0;
  let rowsScanned = 0;
  let keptCapture: FragmentOutput["keptCapture"];
  let text: (string | null)[][] | undefined;
  try {
    const input = options.inputOf(part);
    const stream = options.clients.of(part.worker).executeFragment({
      sql: options.sql,
      tables: [input],
      requestId: options.requestId ?? "",
      inlineMaxCells: options.inlineMaxCells,
      expectedRows: BigInt(options.expectedRows ?? 0),
    });
    for await (const message of stream) {
      if (columns === undefined) {
        if (input.captureBuffer && !message.bufferCaptured) {
          throw new MiniodbError("aborted", `worker ${part.worker.id} does not capture within a fragment`, {
            details: { reason: "manifest_stale" },
          });
        }
        columns = message.columns;
        rowCount = Number(message.rowCount);
        rowsScanned = Number(message.rowsScanned);
        keptCapture = keptCaptureOf(input, message.keptCaptures, part.worker.id);
        if (message.encoding === Encoding.TEXT_COLUMNS) {
          // Read on to the end of the stream (its status), not left early: the call is then over
          // on both sides, and so is its span.
          text = textColumns(message.data, columns.length, rowCount, part.worker.id);
          continue;
        }
      }
      if (text !== undefined || message.encoding !== Encoding.PARQUET) {
        const what = text !== undefined ? "with more after an inline result" : "in an unknown encoding";
        throw new MiniodbError("internal", `worker ${part.worker.id} answered a fragment ${what}`);
      }
      if (!file) {
        await mkdir(options.directory, { recursive: true });
        file = createWriteStream(path);
      }
      if (!file.write(message.data)) await once(file, "drain");
    }
    if (columns !== undefined && text !== undefined)
      return { text, columns, rowCount, rowsScanned, worker: part.worker.id, keptCapture };
    if (columns === undefined || !file)
      throw new MiniodbError("unavailable", `worker ${part.worker.id} ended a fragment early`);
    file.end();
    await once(file, "close");
    return { path, columns, rowCount, rowsScanned, worker: part.worker.id, keptCapture };
  } catch (error) {
    if (file) {
      file.destroy();
      await rm(path, { force: true });
    }
    throw error;
  }
}

/**
 * The capture the worker kept as the input asked (undefined when the input had none to keep); a
 * worker that did not keep it cannot serve the query's next fragment from it: aborted, reason
 * capture_not_kept.
 */
function keptCaptureOf(
  input: FragmentInput,
  kept: readonly { table: string; captureId: string; rowCount: bigint }[],
  worker: string,
): FragmentOutput["keptCapture"] {
  const captured = input.captureBuffer === true || (input.captureId ?? "") !== "";
  if (!input.keepCapture || !captured) return undefined;
  const entry = kept.find((capture) => capture.table === input.table);
  if (!entry) {
    throw new MiniodbError("aborted", `worker ${worker} did not keep its buffer capture for the query`, {
      details: { reason: "capture_not_kept" },
    });
  }
  return { captureId: entry.captureId, rowCount: Number(entry.rowCount) };
}

/** The text columns of an ENCODING_TEXT_COLUMNS message, checked against the header's shape. */
function textColumns(data: Uint8Array, width: number, rowCount: number, worker: string): (string | null)[][] {
  const columns = JSON.parse(
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"),
  ) as unknown;
  const valid =
    Array.isArray(columns) &&
    columns.length === width &&
    columns.every(
      (values) =>
        Array.isArray(values) &&
        values.length === rowCount &&
        values.every((value) => value === null || typeof value === "string"),
    );
  if (!valid) throw new MiniodbError("internal", `worker ${worker} sent a malformed inline fragment result`);
  return columns as (string | null)[][];
}
