import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MiniodbError, type ObjectStore } from "@miniodb/core";
import {
  checkReadOnlyQuery,
  createChangedViews,
  DuckDbEngine,
  ObjectFileCache,
  ParseTreeCache,
  tombstoneLine,
  type CacheLease,
} from "@miniodb/executor";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  Encoding,
  type ExecuteFragmentRequest,
  type ExecuteFragmentResponseSchema,
} from "@miniodb/proto/cluster";
import type { Tracer } from "@opentelemetry/api";
import { traceStep } from "../worker-spans.js";
import type { BufferedRows } from "../buffer/table-buffer.js";
import type { BufferCaptures } from "../server/buffer-captures.js";
import { collectFragmentResult } from "./fragment-result.js";
import { FragmentStatementCache } from "./fragment-statement-cache.js";
import { fragmentViewSource, type LocalTableInput } from "./fragment-view.js";

export interface FragmentExecutorOptions {
  readonly objects: ObjectStore;
  /** The only directory the engine may read; holds the file cache and per-fragment files. Emptied. */
  readonly directory: string;
  readonly cacheBytes: number;
  readonly memoryLimit?: string | undefined;
  readonly threads?: number | undefined;
  readonly timeoutMs: number;
  readonly connections: number;
  readonly maxLineBytes: number;
  /** Bytes of Parquet per streamed message. */
  readonly chunkBytes: number;
  /** Records each fragment's steps as spans: fragment.inputs (files, buffer, tombstones), fragment.run (DuckDB). */
  readonly tracer?: Tracer | undefined;
}

/** A table's buffered rows as of a manifest version the query read (Worker.bufferedRowsAsOf). */
export type BufferAsOf = (table: string, manifestVersion: number) => BufferedRows[] | undefined;

/** What a fragment did, for the worker's counters. */
export interface FragmentCounters {
  readonly rowsScanned: number;
  readonly fragments: number;
}

/**
 * Executes query fragments (ExecuteFragment) on a worker: fetches the assigned Parquet files into
 * its own cache, takes its buffer capture, builds each table's view exactly as a single node does
 * (tombstones and retention applied), runs the fragment in a sandboxed DuckDB and sends the
 * result back: a small one inline as text by column, a larger one as a Parquet file in chunks
 * (see collectFragmentResult). The SQL is checked with the same guard as the public API. Repeated
 * work is skipped: parse trees and the fragments' result columns are cached, and a view whose
 * statement is unchanged (the same files, no buffered rows or tombstones) stays on its connection.
 */
export class FragmentExecutor {
  readonly #options: FragmentExecutorOptions;
  readonly #engine: DuckDbEngine;
  readonly #cache: ObjectFileCache;
  readonly #trees: ParseTreeCache;
  readonly #statements = new FragmentStatementCache();
  #rowsScanned = 0;
  #fragments = 0;

  private constructor(options: FragmentExecutorOptions, engine: DuckDbEngine, cache: ObjectFileCache) {
    this.#options = options;
    this.#engine = engine;
    this.#cache = cache;
    this.#trees = new ParseTreeCache((sql) => engine.parse(sql));
  }

  static async create(options: FragmentExecutorOptions): Promise<FragmentExecutor> {
    await rm(options.directory, { recursive: true, force: true });
    await mkdir(join(options.directory, "fragments"), { recursive: true });
    const cache = await ObjectFileCache.create({
      directory: join(options.directory, "objects"),
      objects: options.objects,
      maxBytes: options.cacheBytes,
    });
    const engine = await DuckDbEngine.create({
      allowedDirectory: options.directory,
      memoryLimit: options.memoryLimit,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      queryTimeoutMs: options.timeoutMs,
      connections: options.connections,
    });
    return new FragmentExecutor(options, engine, cache);
  }

  get counters(): FragmentCounters {
    return { rowsScanned: this.#rowsScanned, fragments: this.#fragments };
  }

  /**
   * Runs the fragment and yields its result: one message with the text columns, or the Parquet
   * file in chunks; the first message carries the columns. A table's buffer takes part through its capture id, or is captured now (`bufferAsOf`)
   * when the input asks to.
   */
  async *execute(
    request: ExecuteFragmentRequest,
    captures: BufferCaptures,
    bufferAsOf: BufferAsOf,
  ): AsyncGenerator<MessageInitShape<typeof ExecuteFragmentResponseSchema>> {
    const names = request.tables.map((input) => input.table);
    checkReadOnlyQuery(await this.#trees.parse(request.sql), names);
    const capturedNow = request.tables.some((input) => input.captureBuffer);
    // Captured before anything else: the sooner, the less likely a flush commits in between.
    const inputs = request.tables.map((input) =>
      input.captureBuffer ? { ...input, captureId: captureNow(captures, bufferAsOf, input) } : input,
    );
    const directory = join(this.#options.directory, "fragments", randomUUID());
    let made: Promise<string | undefined> | undefined;
    const inDirectory = async (name: string) => {
      await (made ??= mkdir(directory, { recursive: true }));
      return join(directory, name);
    };
    const leases: CacheLease[] = [];
    const { tracer } = this.#options;
    const attributes = { "miniodb.tables": names.join(",") };
    try {
      let rowsScanned = 0;
      const locals: LocalTableInput[] = [];
      const kept: Array<{ table: string; captureId: string; rowCount: bigint }> = [];
      await traceStep(tracer, "fragment.inputs", attributes, async () => {
        for (const [index, input] of inputs.entries()) {
          const lease = await this.#cache.acquire(
            input.files.map((file) => ({ key: file.objectKey, etag: file.etag })),
          );
          leases.push(lease);
          const buffer = takeCapture(captures, input);
          if (input.keepCapture && input.captureId !== "")
            kept.push({ table: input.table, captureId: input.captureId, rowCount: BigInt(buffer.rows) });
          const bufferPath =
            buffer.ndjson.length > 0 ? await inDirectory(`t${index}.rows.ndjson`) : undefined;
          if (bufferPath) await writeFile(bufferPath, buffer.ndjson);
          const tombstonesPath =
            input.tombstones.length > 0 ? await inDirectory(`t${index}.tombstones.ndjson`) : undefined;
          if (tombstonesPath) {
            const lines = input.tombstones.map((tombstone) =>
              tombstoneLine(tombstone.id, tombstone.sequence),
            );
            await writeFile(tombstonesPath, `${lines.join("\n")}\n`);
          }
          rowsScanned += buffer.rows + input.files.reduce((sum, file) => sum + Number(file.rowCount), 0);
          locals.push({
            input,
            paths: lease.paths,
            bufferPath,
            tombstonesPath,
            maxLineBytes: this.#options.maxLineBytes,
          });
        }
      });
      const { columns, result } = await traceStep(tracer, "fragment.run", attributes, () =>
        this.#engine.withSession(async (session) => {
          const views = locals.map(fragmentViewSource);
          await createChangedViews(session, views);
          const described = await this.#statements.describe(session, request.sql, views);
          const result = await collectFragmentResult(
            session,
            described,
            () => inDirectory("result.parquet"),
            {
              inlineMaxCells: request.inlineMaxCells,
              expectedRows: Number(request.expectedRows),
            },
          );
          return { columns: [...described.columns], result };
        }),
      );
      this.#rowsScanned += rowsScanned;
      this.#fragments++;
      // The query's next round reads a kept capture after this one's result arrives and merges.
      for (const capture of kept) captures.renew(capture.captureId);
      const head = {
        columns,
        rowCount: BigInt(result.rowCount),
        rowsScanned: BigInt(rowsScanned),
        bufferCaptured: capturedNow,
        keptCaptures: kept,
      };
      if (result.kind === "text") {
        yield { ...head, encoding: Encoding.TEXT_COLUMNS, data: Buffer.from(JSON.stringify(result.columns)) };
        return;
      }
      let first = true;
      for await (const chunk of createReadStream(result.path, { highWaterMark: this.#options.chunkBytes })) {
        yield { ...(first ? head : {}), encoding: Encoding.PARQUET, data: chunk as Buffer };
        first = false;
      }
    } finally {
      for (const lease of leases) lease.release();
      if (made) await rm(directory, { recursive: true, force: true });
    }
  }

  close(): void {
    this.#engine.close();
  }
}

/**
 * Captures the input's table as of its manifest version and returns the capture's id; aborted
 * (reason manifest_stale) when this worker committed rows of the table to a later version since.
 */
function captureNow(
  captures: BufferCaptures,
  bufferAsOf: BufferAsOf,
  input: ExecuteFragmentRequest["tables"][number],
): string {
  const parts = bufferAsOf(input.table, Number(input.manifestVersion));
  if (parts === undefined) {
    throw new MiniodbError(
      "aborted",
      `rows of ${input.table} were committed after manifest version ${input.manifestVersion}; capture the buffer first`,
      { details: { reason: "manifest_stale" } },
    );
  }
  return captures.add(parts);
}

/**
 * The captured rows of the input's capture that its manifest does not hold, as NDJSON; the capture
 * stays for the query's next fragment when the input asks to keep it.
 */
function takeCapture(
  captures: BufferCaptures,
  input: ExecuteFragmentRequest["tables"][number],
): { ndjson: string; rows: number } {
  if (input.captureId === "") return { ndjson: "", rows: 0 };
  const inManifest = new Set(input.manifestKeys);
  let ndjson = "";
  let rows = 0;
  const reading = captures.take(input.captureId, Number(input.manifestVersion), { keep: input.keepCapture });
  for (const part of reading) {
    if (part.fileKeys.some((key) => inManifest.has(key))) continue;
    ndjson += part.ndjson;
    rows += part.rowCount;
  }
  return { ndjson, rows };
}
