import type { DataFile, MetadataStore, TableEntry } from "@miniodb/core";
import type { DuckDbEngineStats, LiveRowTablesStats, ObjectFileCacheStats } from "@miniodb/executor";
import type { PrimaryBackupPoolStatus } from "@miniodb/storage";
import type { TableBufferStats, WriteAheadLogStats } from "@miniodb/worker-node";

/** Connections of a client now. */
export interface ConnectionStats {
  readonly active: number;
  readonly idle: number;
}

/** One object store a node talks to: the primary or the backup pool (or the local directory). */
export interface StoragePoolSource {
  readonly name: "primary" | "backup" | "local";
  /** Bucket name, or the directory for the local store. */
  readonly bucket: string;
  connections(): ConnectionStats;
  /** Resolves when the store answers a request. */
  probe(): Promise<void>;
}

/** Where the numbers of a node come from; every function reads live state. */
export interface NodeStatsSources {
  readonly nodeId: string;
  readonly metadataKind: string;
  readonly storageKind: string;
  readonly metadata: MetadataStore;
  readonly buffers: {
    tableNames(): string[];
    tableStats(
      table: string,
    ): Pick<TableBufferStats, "unflushedRows" | "bufferedBytes" | "oldestUnflushedMs">;
    /** Re-reads buffers held elsewhere (a query node asks its workers) before a snapshot. */
    refresh?(): Promise<void>;
  };
  /**
   * `cluster` (default): table numbers are the whole table's, from its manifest plus the unflushed
   * rows of `buffers`. `node`: only this node's unflushed rows (a worker, which holds a share of
   * each table's buffer and leaves table totals to the query nodes).
   */
  readonly tableScope?: "cluster" | "node";
  readonly wal: { stats(): WriteAheadLogStats };
  readonly fileCache: { stats(): ObjectFileCacheStats };
  /** A query node's tables of the live rows of files updates touched. */
  readonly liveRows?: { stats(): LiveRowTablesStats } | undefined;
  readonly engine: { stats(): DuckDbEngineStats };
  /** Bytes of materialised results kept for cursors. */
  readonly resultCacheBytes: () => number;
  readonly metadataConnections: () => ConnectionStats;
  readonly storagePools: readonly StoragePoolSource[];
  readonly poolStatus?: (() => PrimaryBackupPoolStatus) | undefined;
  /** Bytes of unflushed rows across tables above which the largest is flushed early. */
  readonly maxBufferedBytes: number;
}

/** One table's numbers, from its manifest and its worker's buffer. */
export interface TableStats {
  readonly name: string;
  readonly recordCount: number;
  readonly fileCount: number;
  readonly sizeBytes: number;
  readonly unflushedRecords: number;
  readonly bufferedBytes: number;
  readonly bufferSize: number;
  readonly oldestUnflushedAgeSeconds: number;
  readonly partitions: number;
  readonly maxFilesPerPartition: number;
}

/** Per-table numbers for every table, computed from the manifests and the buffers. */
export async function collectTableStats(sources: NodeStatsSources, nowMs: number): Promise<TableStats[]> {
  if (sources.tableScope === "node")
    return sources.buffers.tableNames().map((name) => bufferedTableStats(sources, name, nowMs));
  const entries = await sources.metadata.listTables();
  return Promise.all(entries.map(async (entry) => tableStats(sources, entry, nowMs)));
}

async function tableStats(sources: NodeStatsSources, entry: TableEntry, nowMs: number): Promise<TableStats> {
  const manifest = await sources.metadata.getManifest(entry.name);
  const buffered = sources.buffers.tableStats(entry.name);
  const files = manifest.files;
  const perPartition = filesPerPartition(files);
  return {
    name: entry.name,
    recordCount: files.reduce((sum, file) => sum + file.rowCount, 0) + buffered.unflushedRows,
    fileCount: files.length,
    sizeBytes: files.reduce((sum, file) => sum + file.sizeBytes, 0),
    unflushedRecords: buffered.unflushedRows,
    bufferedBytes: buffered.bufferedBytes,
    bufferSize: entry.config.bufferSize,
    oldestUnflushedAgeSeconds:
      buffered.oldestUnflushedMs === undefined ? 0 : Math.max(0, (nowMs - buffered.oldestUnflushedMs) / 1000),
    partitions: perPartition.size,
    maxFilesPerPartition: Math.max(0, ...perPartition.values()),
  };
}

/** A table as one worker sees it: its own unflushed rows, no files. */
function bufferedTableStats(sources: NodeStatsSources, name: string, nowMs: number): TableStats {
  const buffered = sources.buffers.tableStats(name);
  return {
    name,
    recordCount: buffered.unflushedRows,
    fileCount: 0,
    sizeBytes: 0,
    unflushedRecords: buffered.unflushedRows,
    bufferedBytes: buffered.bufferedBytes,
    bufferSize: 0,
    oldestUnflushedAgeSeconds:
      buffered.oldestUnflushedMs === undefined ? 0 : Math.max(0, (nowMs - buffered.oldestUnflushedMs) / 1000),
    partitions: 0,
    maxFilesPerPartition: 0,
  };
}

function filesPerPartition(files: readonly DataFile[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of files) counts.set(file.partition, (counts.get(file.partition) ?? 0) + 1);
  return counts;
}
