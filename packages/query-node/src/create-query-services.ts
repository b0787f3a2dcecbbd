import { rm } from "node:fs/promises";
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { MetadataStore, ObjectStore } from "@miniodb/core";
import { DuckDbEngine, LiveRowTables, ObjectFileCache, type CacheLookup } from "@miniodb/executor";
import type { dataLayout } from "./config/data-layout.js";
import type { ResolvedConfig } from "./config/node-identity.js";
import type { DataPlane } from "./services/data-plane.js";
import { MutationService } from "./services/mutation-service.js";
import { QueryPager } from "./services/query-pager.js";
import { QueryService } from "./services/query-service.js";
import type { TableService } from "./services/table-service.js";

export interface QueryServicesDeps {
  readonly config: ResolvedConfig;
  readonly layout: ReturnType<typeof dataLayout>;
  readonly metadata: MetadataStore;
  readonly objects: ObjectStore;
  readonly data: DataPlane;
  readonly tables: TableService;
  /** Told of every file cache lookup (for hit/miss metrics). */
  readonly onCacheLookups?: (lookups: readonly CacheLookup[]) => void;
  /** Traces query steps when set. */
  readonly tracer?: Tracer | undefined;
  /** Logs the builds of live-row tables, and their failures. */
  readonly logger?: Logger | undefined;
}

/** The engine's attached database of live-row tables. */
const LIVE_ROWS_DATABASE = "miniodb_live_rows";

/**
 * The read side of a node: the sandboxed engine over `cache/`, the file cache, queries, cursors,
 * and updates/deletes (which read before they write). `close` releases the engine.
 */
export async function createQueryServices(deps: QueryServicesDeps) {
  const { config, layout, metadata, objects, data, tables } = deps;
  const cache = await ObjectFileCache.create({
    directory: layout.fileCacheDirectory,
    objects,
    maxBytes: config.query.file_cache_bytes,
    ...(deps.onCacheLookups ? { onLookups: deps.onCacheLookups } : {}),
  });
  // Live-row tables are rebuilt on demand: none survives a restart.
  for (const suffix of ["", ".wal"]) await rm(`${layout.liveRowsDatabase}${suffix}`, { force: true });
  const engine = await DuckDbEngine.create({
    allowedDirectory: layout.queryCacheDirectory,
    attach: { path: layout.liveRowsDatabase, alias: LIVE_ROWS_DATABASE },
    memoryLimit: config.query.memory_limit,
    ...(config.query.threads === undefined ? {} : { threads: config.query.threads }),
    queryTimeoutMs: config.query.timeout_seconds * 1000,
    connections: config.query.max_concurrent,
  });
  const liveRows = new LiveRowTables({
    engine,
    cache,
    database: LIVE_ROWS_DATABASE,
    maxBytes: config.query.live_rows_bytes,
    onBuilt: (event) => deps.logger?.info(event, "live-row table built"),
    onError: (error, table) => deps.logger?.warn({ err: error, table }, "live-row table build failed"),
  });
  try {
    const queries = new QueryService({
      metadata,
      engine,
      cache,
      buffers: data,
      scatter: data.scatter,
      scratchDirectory: layout.queryScratchDirectory,
      maxLineBytes: config.limits.max_record_bytes + 4096,
      tracer: deps.tracer,
      liveRows,
    });
    const pager = await QueryPager.create({
      nodeId: config.node.id,
      queries,
      engine,
      directory: layout.resultsDirectory,
      cursorTtlMs: config.query.cursor_ttl_seconds * 1000,
      maxBytes: config.query.result_cache_bytes,
      maxResultBytes: config.limits.max_result_bytes,
    });
    const mutations = new MutationService({
      metadata,
      tables,
      queries,
      data,
      maxBatchRecords: config.limits.max_batch_records,
    });
    const close = async () => {
      await liveRows.close();
      engine.close();
    };
    return { queries, pager, mutations, engine, cache, liveRows, close };
  } catch (error) {
    await liveRows.close();
    engine.close();
    throw error;
  }
}
