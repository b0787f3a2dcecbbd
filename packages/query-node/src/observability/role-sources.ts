import type { DuckDbEngine, LiveRowTables, ObjectFileCache } from "@miniodb/executor";
import type { Worker, WriteAheadLog } from "@miniodb/worker-node";
import type { ResolvedConfig } from "../config/node-identity.js";
import type { openNodeFoundation } from "../open-node-foundation.js";
import type { NodeStatsSources } from "./node-stats.js";

type Foundation = Awaited<ReturnType<typeof openNodeFoundation>>;

/** The numbers of a role that lacks a part: no WAL (query node), no engine or file cache (worker). */
const NO_WAL = { stats: () => ({ segments: 0, bytes: 0, firstLsn: 1n, lastLsn: 0n, appends: 0, syncs: 0 }) };
const NO_FILE_CACHE = {
  stats: () => ({ hits: 0, misses: 0, fetchedBytes: 0, bytes: 0, files: 0, maxBytes: 0 }),
};
const NO_ENGINE = { stats: () => ({ slots: 0, idle: 0, waiting: 0 }) };

function common(config: ResolvedConfig, foundation: Foundation) {
  return {
    nodeId: config.node.id,
    metadataKind: foundation.metadata.kind,
    storageKind: foundation.storage.kind,
    metadata: foundation.metadata.store,
    metadataConnections: foundation.metadata.connections,
    storagePools: foundation.storage.pools,
    poolStatus: foundation.storage.poolStatus,
    maxBufferedBytes: config.worker.max_buffered_bytes,
  };
}

/**
 * A query node's sources: its engine and file cache, and the unflushed rows of every worker
 * (`buffers`, re-read from the workers before each snapshot). No WAL.
 */
export function queryNodeSources(
  config: ResolvedConfig,
  foundation: Foundation,
  reads: {
    readonly engine: DuckDbEngine;
    readonly cache: ObjectFileCache;
    readonly liveRows: LiveRowTables;
    readonly pager: { storedBytes: number };
  },
  buffers: NodeStatsSources["buffers"],
): NodeStatsSources {
  return {
    ...common(config, foundation),
    buffers,
    wal: NO_WAL,
    fileCache: reads.cache,
    liveRows: reads.liveRows,
    engine: reads.engine,
    resultCacheBytes: () => reads.pager.storedBytes,
  };
}

/** A worker's sources: its buffers and WAL; table numbers are its own share (`tableScope: node`). */
export function workerNodeSources(
  config: ResolvedConfig,
  foundation: Foundation,
  worker: Worker,
  wal: WriteAheadLog,
): NodeStatsSources {
  return {
    ...common(config, foundation),
    tableScope: "node",
    buffers: { tableNames: () => worker.tableNames(), tableStats: (table) => worker.tableStats(table) },
    wal,
    fileCache: NO_FILE_CACHE,
    engine: NO_ENGINE,
    resultCacheBytes: () => 0,
  };
}
