import type { NodeSnapshot } from "./node-snapshot.js";
import type { RequestWindow } from "./request-window.js";
import { successRate } from "./request-window.js";

/** GetMetrics: the wire maps, and for REST the same numbers grouped as the original's docs query them. */
export interface MetricsReport {
  readonly timestamp: Date;
  readonly performance_metrics: Record<string, number>;
  readonly resource_usage: Record<string, number>;
  readonly system_info: Record<string, string>;
  readonly query_metrics: Record<string, number>;
  readonly write_metrics: Record<string, number>;
  readonly cache_metrics: Record<string, number>;
  readonly pool_usage: Record<string, number>;
  readonly memory_usage: Record<string, number>;
  readonly health_score: number;
}

export interface MetricsContext {
  readonly nodeId: string;
  readonly version: string;
  readonly metadataKind: string;
  readonly storageKind: string;
  readonly startedAt: Date;
}

const ms = (seconds: number) => Math.round(seconds * 10_000) / 10;

/** Builds GetMetrics from a snapshot and the recent-request window. */
export function metricsReport(
  snapshot: NodeSnapshot,
  window: RequestWindow,
  context: MetricsContext,
): MetricsReport {
  const totals = (methods: readonly string[]) => {
    const sum = { success: 0, error: 0 };
    for (const [key, counts] of snapshot.outcomes)
      if (methods.includes(key.split("|", 1)[0]!)) {
        sum.success += counts.success;
        sum.error += counts.error;
      }
    return sum;
  };
  const queries = totals(["query", "stream_query"]);
  const writes = totals(["write", "stream_write"]);
  const queryLatency = window.latency("query");
  const writeLatency = window.latency("write");
  const { hits, misses } = snapshot.fileCache;
  const usage = (active: number, idle: number) => (active + idle === 0 ? 0 : active / (active + idle));
  const storage = snapshot.pools.reduce(
    (sum, pool) => ({ active: sum.active + pool.connections.active, idle: sum.idle + pool.connections.idle }),
    { active: 0, idle: 0 },
  );
  const query_metrics = {
    success_rate: successRate(queries),
    total: queries.success + queries.error,
    errors: queries.error,
    latency_p50_ms: ms(queryLatency.p50),
    latency_p95_ms: ms(queryLatency.p95),
    latency_p99_ms: ms(queryLatency.p99),
    latency_max_ms: ms(queryLatency.max),
  };
  const write_metrics = {
    success_rate: successRate(writes),
    total: writes.success + writes.error,
    errors: writes.error,
    latency_p50_ms: ms(writeLatency.p50),
    latency_p95_ms: ms(writeLatency.p95),
    latency_p99_ms: ms(writeLatency.p99),
  };
  const cache_metrics = {
    file_hit_ratio: hits + misses === 0 ? 0 : hits / (hits + misses),
    file_hits: hits,
    file_misses: misses,
    file_cache_bytes: snapshot.fileCache.bytes,
    file_cache_usage: snapshot.fileCache.bytes / snapshot.fileCache.maxBytes,
  };
  const engine = snapshot.engine;
  const pool_usage = {
    redis_pool_usage: usage(snapshot.metadataConnections.active, snapshot.metadataConnections.idle),
    minio_pool_usage: usage(storage.active, storage.idle),
    query_slot_usage: engine.slots === 0 ? 0 : (engine.slots - engine.idle) / engine.slots,
  };
  const memory_usage = {
    buffer_bytes: snapshot.bufferedBytes,
    file_cache_bytes: snapshot.fileCache.bytes,
    result_cache_bytes: snapshot.resultCacheBytes,
    wal_bytes: snapshot.wal.bytes,
    rss_bytes: snapshot.memory.rss,
    heap_used_bytes: snapshot.memory.heap_used,
    heap_total_bytes: snapshot.memory.heap_total,
  };
  const performance_metrics: Record<string, number> = {
    health_score: snapshot.healthScore,
    cpu_process_percent: snapshot.cpu.process,
    cpu_event_loop_percent: snapshot.cpu.event_loop,
  };
  for (const [group, values] of Object.entries({
    query: query_metrics,
    write: write_metrics,
    cache: cache_metrics,
    pool: pool_usage,
  }))
    for (const [name, value] of Object.entries(values)) performance_metrics[`${group}_${name}`] = value;
  return {
    timestamp: snapshot.at,
    performance_metrics,
    resource_usage: {
      ...memory_usage,
      unflushed_records: snapshot.tables.reduce((sum, table) => sum + table.unflushedRecords, 0),
      tables: snapshot.tables.length,
      uptime_seconds: Math.floor((snapshot.at.getTime() - context.startedAt.getTime()) / 1000),
    },
    system_info: {
      node_id: context.nodeId,
      version: context.version,
      node_version: process.version,
      platform: `${process.platform}-${process.arch}`,
      pid: String(process.pid),
      metadata_backend: context.metadataKind,
      storage_backend: context.storageKind,
      health_status: snapshot.health.status,
      started_at: context.startedAt.toISOString(),
    },
    query_metrics,
    write_metrics,
    cache_metrics,
    pool_usage,
    memory_usage,
    health_score: snapshot.healthScore,
  };
}
