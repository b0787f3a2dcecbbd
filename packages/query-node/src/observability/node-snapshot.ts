import type { BackupEntry } from "@miniodb/core";
import type { DuckDbEngineStats, LiveRowTablesStats, ObjectFileCacheStats } from "@miniodb/executor";
import type { PrimaryBackupPoolStatus } from "@miniodb/storage";
import type { WriteAheadLogStats } from "@miniodb/worker-node";
import type { HealthReport } from "../services/health-check.js";
import { healthScore } from "./health-score.js";
import {
  collectTableStats,
  type ConnectionStats,
  type NodeStatsSources,
  type TableStats,
} from "./node-stats.js";
import type { RequestWindow } from "./request-window.js";
import { successRate } from "./request-window.js";
import { memoryUsage, type CpuSampler, type CpuUsage, type MemoryUsage } from "./resource-usage.js";

/** Everything the status page, the metrics report and the gauges show, read at one moment. */
export interface NodeSnapshot {
  readonly at: Date;
  /** Whether `tables` are whole tables (`cluster`) or this node's unflushed share (`node`). */
  readonly tableScope: "cluster" | "node";
  readonly tables: readonly TableStats[];
  /** Why the table stats are from an earlier snapshot (the metadata store did not answer). */
  readonly tablesError: string | undefined;
  readonly backups: readonly BackupEntry[];
  readonly health: HealthReport;
  readonly healthScore: number;
  readonly wal: WriteAheadLogStats;
  readonly fileCache: ObjectFileCacheStats;
  readonly liveRows: LiveRowTablesStats;
  readonly engine: DuckDbEngineStats;
  readonly resultCacheBytes: number;
  readonly metadataConnections: ConnectionStats;
  readonly pools: ReadonlyArray<{ name: string; bucket: string; connections: ConnectionStats }>;
  readonly poolStatus: PrimaryBackupPoolStatus | undefined;
  readonly memory: MemoryUsage;
  readonly cpu: CpuUsage;
  /** Success rates over the recent window, per `method|table` key. */
  readonly outcomes: ReadonlyMap<string, { success: number; error: number }>;
  readonly dataSuccessRate: number;
  readonly bufferedBytes: number;
}

export interface SnapshotterOptions {
  readonly sources: NodeStatsSources;
  readonly window: RequestWindow;
  readonly cpu: CpuSampler;
  readonly health: () => HealthReport;
  /** Longest wait for the metadata store's table stats before the previous ones are used. */
  readonly timeoutMs: number;
}

const DATA_METHODS = new Set(["write", "stream_write", "query", "stream_query", "update", "delete"]);
const BACKUP_LOOKBACK_MS = 7 * 86_400_000;

/** Takes snapshots; remembers the last table stats so a metadata outage does not blank them. */
export class NodeSnapshotter {
  readonly #options: SnapshotterOptions;
  #tables: readonly TableStats[] = [];
  #backups: readonly BackupEntry[] = [];

  constructor(options: SnapshotterOptions) {
    this.#options = options;
  }

  async take(): Promise<NodeSnapshot> {
    const { sources, window, cpu, health: latestHealth } = this.#options;
    const now = Date.now();
    let tablesError: string | undefined;
    try {
      const [tables, backups] = await withTimeout(
        (async () => {
          await sources.buffers.refresh?.();
          return Promise.all([
            collectTableStats(sources, now),
            sources.tableScope === "node"
              ? []
              : sources.metadata.listBackups(new Date(now - BACKUP_LOOKBACK_MS)),
          ]);
        })(),
        this.#options.timeoutMs,
      );
      this.#tables = tables;
      this.#backups = backups;
    } catch (error) {
      tablesError = error instanceof Error ? error.message : String(error);
    }
    const outcomes = window.outcomes();
    const data = { success: 0, error: 0 };
    for (const [key, counts] of outcomes)
      if (DATA_METHODS.has(key.split("|", 1)[0]!)) {
        data.success += counts.success;
        data.error += counts.error;
      }
    const bufferedBytes = sources.buffers
      .tableNames()
      .reduce((sum, name) => sum + sources.buffers.tableStats(name).bufferedBytes, 0);
    const engine = sources.engine.stats();
    const health = latestHealth();
    const dataSuccessRate = successRate(data);
    return {
      at: new Date(now),
      tableScope: sources.tableScope ?? "cluster",
      tables: this.#tables,
      tablesError,
      backups: this.#backups,
      health,
      healthScore: healthScore({
        health,
        successRate: dataSuccessRate,
        bufferPressure: bufferedBytes / sources.maxBufferedBytes,
        queuePressure: engine.slots === 0 ? 0 : engine.waiting / engine.slots,
      }),
      wal: sources.wal.stats(),
      fileCache: sources.fileCache.stats(),
      liveRows: sources.liveRows?.stats() ?? { tables: 0, bytes: 0, builds: 0, failures: 0, reads: 0 },
      engine,
      resultCacheBytes: sources.resultCacheBytes(),
      metadataConnections: sources.metadataConnections(),
      pools: sources.storagePools.map((pool) => ({
        name: pool.name,
        bucket: pool.bucket,
        connections: pool.connections(),
      })),
      poolStatus: sources.poolStatus?.(),
      memory: memoryUsage(),
      cpu: cpu.sample(),
      outcomes,
      dataSuccessRate,
      bufferedBytes,
    };
  }
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
