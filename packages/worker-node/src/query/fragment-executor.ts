import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MiniodbError, type ObjectStore } from "@miniodb/core";
import {
  checkReadOnlyQuery,
  dropTableViewStatement,
  DuckDbEngine,
  ObjectFileCache,
  quoteSqlIdentifier,
  quoteSqlLiteral,
  tableViewStatement,
  tombstoneLine,
  type CacheLease,
  type EngineSession,
} from "@miniodb/executor";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  Encoding,
  type ExecuteFragmentRequest,
  type ExecuteFragmentResponseSchema,
} from "@miniodb/proto/cluster";
import type { BufferCaptures } from "../server/buffer-captures.js";
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
}

/** What a fragment did, for the worker's counters. */
export interface FragmentCounters {
  readonly rowsScanned: number;
  readonly fragments: number;
}

/**
 * Executes query fragments (ExecuteFragment) on a worker: fetches the assigned Parquet files into
 * its own cache, takes its buffer capture, builds each table's view exactly as a single node does
 * (tombstones and retention applied), runs the fragment in a sandboxed DuckDB and streams the
 * result as one Parquet file. The SQL is checked with the same guard as the public API.
 */
export class FragmentExecutor {
  readonly #options: FragmentExecutorOptions;
  readonly #engine: DuckDbEngine;
  readonly #cache: ObjectFileCache;
  #rowsScanned = 0;
  #fragments = 0;

  private constructor(options: FragmentExecutorOptions, engine: DuckDbEngine, cache: ObjectFileCache) {
    this.#options = options;
    this.#engine = engine;
    this.#cache = cache;
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

  /** Runs the fragment and yields its result: the Parquet file in chunks, the first with the columns. */
  async *execute(
    request: ExecuteFragmentRequest,
    captures: BufferCaptures,
  ): AsyncGenerator<MessageInitShape<typeof ExecuteFragmentResponseSchema>> {
    const names = request.tables.map((input) => input.table);
    checkReadOnlyQuery(await this.#engine.parse(request.sql), names);
    const directory = join(this.#options.directory, "fragments", randomUUID());
    await mkdir(directory, { recursive: true });
    const leases: CacheLease[] = [];
    try {
      let rowsScanned = 0;
      const locals: LocalTableInput[] = [];
      for (const [index, input] of request.tables.entries()) {
        const lease = await this.#cache.acquire(
          input.files.map((file) => ({ key: file.objectKey, etag: file.etag })),
        );
        leases.push(lease);
        const buffer = takeCapture(captures, input);
        const bufferPath = buffer.ndjson.length > 0 ? join(directory, `t${index}.rows.ndjson`) : undefined;
        if (bufferPath) await writeFile(bufferPath, buffer.ndjson);
        const tombstonesPath =
          input.tombstones.length > 0 ? join(directory, `t${index}.tombstones.ndjson`) : undefined;
        if (tombstonesPath) {
          const lines = input.tombstones.map((tombstone) => tombstoneLine(tombstone.id, tombstone.sequence));
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
      const output = join(directory, "result.parquet");
      const { columns, rowCount } = await this.#engine.withSession(async (session) => {
        const views = locals.map(fragmentViewSource);
        await session.run(views.map(tableViewStatement).join(";\n"));
        try {
          return await writeResult(session, request.sql, output);
        } finally {
          await session.run(names.map(dropTableViewStatement).join(";\n")).catch(() => undefined);
        }
      });
      this.#rowsScanned += rowsScanned;
      this.#fragments++;
      let first = true;
      for await (const chunk of createReadStream(output, { highWaterMark: this.#options.chunkBytes })) {
        yield {
          ...(first ? { columns, rowCount: BigInt(rowCount), rowsScanned: BigInt(rowsScanned) } : {}),
          encoding: Encoding.PARQUET,
          data: chunk as Buffer,
        };
        first = false;
      }
    } finally {
      for (const lease of leases) lease.release();
      await rm(directory, { recursive: true, force: true });
    }
  }

  close(): void {
    this.#engine.close();
  }
}

/** The captured rows of the input's capture that its manifest does not hold, as NDJSON. */
function takeCapture(
  captures: BufferCaptures,
  input: ExecuteFragmentRequest["tables"][number],
): { ndjson: string; rows: number } {
  if (input.captureId === "") return { ndjson: "", rows: 0 };
  const inManifest = new Set(input.manifestKeys);
  let ndjson = "";
  let rows = 0;
  for (const part of captures.take(input.captureId, Number(input.manifestVersion))) {
    if (part.fileKeys.some((key) => inManifest.has(key))) continue;
    ndjson += part.ndjson;
    rows += part.rowCount;
  }
  return { ndjson, rows };
}

/** Types Parquet cannot hold exactly: shipped as text and cast back by the query node. */
const INEXACT_IN_PARQUET = /\bU?HUGEINT\b/;

/** Writes the fragment's result to `path` as Parquet; returns its columns (DuckDB types) and rows. */
async function writeResult(session: EngineSession, sql: string, path: string) {
  const statement = await session.canonicalSql(sql);
  const described = await session.readAll(`DESCRIBE ${statement}`);
  const columns = described.rows.map((row) => ({
    name: String(row["column_name"]),
    type: String(row["column_type"]),
  }));
  const selections = columns.map((column) => {
    const name = quoteSqlIdentifier(column.name);
    if (!INEXACT_IN_PARQUET.test(column.type)) return name;
    return `CAST(${name} AS ${column.type.replace(/\bU?HUGEINT\b/g, "VARCHAR")}) AS ${name}`;
  });
  if (new Set(columns.map((column) => column.name.toLowerCase())).size !== columns.length) {
    throw new MiniodbError("invalid_argument", "a fragment's result columns must have distinct names");
  }
  const { rows } = await session.readAll(
    `COPY (SELECT ${selections.join(", ")} FROM (${statement})) TO ${quoteSqlLiteral(path)} ` +
      "(FORMAT parquet, COMPRESSION zstd)",
  );
  const rowCount = Number(Object.values(rows[0] ?? {})[0] ?? 0);
  return { columns, rowCount };
}
