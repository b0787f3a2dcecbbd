import type { BatchObservableResult, Meter } from "@opentelemetry/api";
import type { MiniodbMetrics } from "./miniodb-metrics.js";
import type { NodeSnapshot } from "./node-snapshot.js";
import { successRate } from "./request-window.js";

/**
 * Observes every gauge from one snapshot per collection (one scrape = one set of manifest reads).
 */
export function observeNodeGauges(
  meter: Meter,
  metrics: MiniodbMetrics,
  nodeId: string,
  takeSnapshot: () => Promise<NodeSnapshot>,
): void {
  const gauges = metrics.gauges;
  meter.addBatchObservableCallback(
    async (result) => observeSnapshot(result, gauges, nodeId, await takeSnapshot()),
    Object.values(gauges),
  );
}

function observeSnapshot(
  result: BatchObservableResult,
  gauges: MiniodbMetrics["gauges"],
  node: string,
  snapshot: NodeSnapshot,
): void {
  const bucket = snapshot.pools[0]?.bucket ?? "";
  for (const table of snapshot.tables) {
    const labels = { table: table.name };
    result.observe(gauges.bufferSize, table.bufferedBytes, { node, table: table.name });
    if (snapshot.tableScope === "node") {
      // A worker's share of the table: its unflushed rows; table totals come from query nodes.
      result.observe(gauges.tableUnflushed, table.unflushedRecords, labels);
      result.observe(gauges.tableUnflushedAge, table.oldestUnflushedAgeSeconds, labels);
      continue;
    }
    result.observe(gauges.storageObjects, table.fileCount, { bucket, table: table.name });
    result.observe(gauges.tableRecords, table.recordCount, labels);
    result.observe(gauges.tableFiles, table.fileCount, labels);
    result.observe(gauges.tableSize, table.sizeBytes, labels);
    result.observe(gauges.tableBufferUtilization, table.unflushedRecords / table.bufferSize, labels);
    result.observe(gauges.tableUnflushed, table.unflushedRecords, labels);
    result.observe(gauges.tableUnflushedAge, table.oldestUnflushedAgeSeconds, labels);
    result.observe(gauges.tablePartitions, table.partitions, labels);
    result.observe(gauges.tableMaxFilesPerPartition, table.maxFilesPerPartition, labels);
    result.observe(gauges.tableCompactionDebt, table.fileCount - table.partitions, labels);
    const queries = snapshot.outcomes.get(`query|${table.name}`);
    const streams = snapshot.outcomes.get(`stream_query|${table.name}`);
    result.observe(
      gauges.querySuccessRate,
      successRate({
        success: (queries?.success ?? 0) + (streams?.success ?? 0),
        error: (queries?.error ?? 0) + (streams?.error ?? 0),
      }),
      labels,
    );
  }
  result.observe(gauges.redisActive, snapshot.metadataConnections.active, { node });
  result.observe(gauges.redisIdle, snapshot.metadataConnections.idle, { node });
  for (const pool of snapshot.pools) {
    result.observe(gauges.minioActive, pool.connections.active, { node, pool: pool.name });
    result.observe(gauges.minioIdle, pool.connections.idle, { node, pool: pool.name });
  }
  const status = snapshot.poolStatus;
  if (status?.hasBackup) {
    for (const pool of ["primary", "backup"] as const)
      result.observe(gauges.storagePoolActive, status.active === pool ? 1 : 0, { node, pool });
    result.observe(gauges.replicationLagObjects, status.replication.pendingObjects, { node, pool: "backup" });
    result.observe(gauges.replicationLagObjects, status.copyBack.pendingObjects, { node, pool: "primary" });
    result.observe(gauges.replicationLagSeconds, status.replication.oldestPendingAgeMs / 1000, {
      node,
      pool: "backup",
    });
    result.observe(gauges.replicationLagSeconds, status.copyBack.oldestPendingAgeMs / 1000, {
      node,
      pool: "primary",
    });
  }
  for (const backup of snapshot.backups)
    result.observe(gauges.backupSize, backup.sizeBytes, { backup_id: backup.id });
  const { hits, misses } = snapshot.fileCache;
  result.observe(gauges.cacheHitRatio, hits + misses === 0 ? 0 : hits / (hits + misses), {
    cache_type: "file",
  });
  result.observe(gauges.healthScore, snapshot.healthScore);
  for (const component of snapshot.health.components)
    result.observe(gauges.componentUp, component.ok ? 1 : 0, { component: component.name });
  const memory = {
    buffer: snapshot.bufferedBytes,
    file_cache: snapshot.fileCache.bytes,
    result_cache: snapshot.resultCacheBytes,
    heap: snapshot.memory.heap_used,
    process: snapshot.memory.rss,
  };
  for (const [component, bytes] of Object.entries(memory))
    result.observe(gauges.memoryUsage, bytes, { component });
  for (const [component, percent] of Object.entries(snapshot.cpu))
    result.observe(gauges.cpuUsage, percent, { component });
  result.observe(gauges.walSize, snapshot.wal.bytes, { node });
  result.observe(gauges.walSegments, snapshot.wal.segments, { node });
  result.observe(gauges.querySlotsBusy, snapshot.engine.slots - snapshot.engine.idle);
  result.observe(gauges.queryQueueLength, snapshot.engine.waiting);
}
