import type { NodeEntry } from "@miniodb/core";
import type { NodeSnapshot } from "./node-snapshot.js";

/** One node as GetStatus lists it (`NodeInfo` of the API). */
export interface StatusNode {
  readonly id: string;
  readonly status: string;
  readonly type: string;
  readonly address: string;
  /** Epoch seconds: now for the answering node, the end of the registration for others. */
  readonly last_seen: number;
}

/** GetStatus: the wire fields (int64 maps) and, for REST, the components behind them. */
export interface StatusReport {
  readonly timestamp: Date;
  readonly buffer_stats: Record<string, number>;
  readonly redis_stats: Record<string, number>;
  readonly minio_stats: Record<string, number>;
  readonly nodes: StatusNode[];
  readonly total_nodes: number;
  readonly health_status: string;
  readonly health_score: number;
  readonly components: Record<string, { status: "ok" | "down"; detail: string; latency_ms: number }>;
  readonly query_engine_stats: Record<string, number>;
  readonly cache_stats: Record<string, Record<string, number>>;
  readonly metadata_backend: string;
  readonly storage_backend: string;
  readonly metrics_collection_stats: Record<string, number | string>;
}

export interface StatusContext {
  readonly nodeId: string;
  readonly metadataKind: string;
  readonly storageKind: string;
  readonly address: string;
  readonly maxBufferedBytes: number;
  readonly healthCheckIntervalMs: number;
  /** Other registered nodes; undefined when the metadata store could not list them. */
  readonly registered: readonly NodeEntry[] | undefined;
}

/** Builds GetStatus from a snapshot. Every number is read from the running node. */
export function statusReport(snapshot: NodeSnapshot, context: StatusContext): StatusReport {
  const components = Object.fromEntries(
    snapshot.health.components.map((component) => [
      component.name,
      {
        status: component.ok ? ("ok" as const) : ("down" as const),
        detail: component.detail,
        latency_ms: component.latencyMs,
      },
    ]),
  );
  const nodes = statusNodes(snapshot, context);
  return {
    timestamp: snapshot.at,
    buffer_stats: bufferStats(snapshot, context.maxBufferedBytes),
    redis_stats: redisStats(snapshot),
    minio_stats: minioStats(snapshot),
    nodes,
    total_nodes: nodes.length,
    health_status: snapshot.health.status,
    health_score: snapshot.healthScore,
    components,
    query_engine_stats: {
      slots: snapshot.engine.slots,
      busy_slots: snapshot.engine.slots - snapshot.engine.idle,
      idle_slots: snapshot.engine.idle,
      waiting_queries: snapshot.engine.waiting,
      result_cache_bytes: snapshot.resultCacheBytes,
    },
    cache_stats: {
      file: {
        hits: snapshot.fileCache.hits,
        misses: snapshot.fileCache.misses,
        bytes: snapshot.fileCache.bytes,
        max_bytes: snapshot.fileCache.maxBytes,
        files: snapshot.fileCache.files,
        fetched_bytes: snapshot.fileCache.fetchedBytes,
      },
    },
    metadata_backend: context.metadataKind,
    storage_backend: context.storageKind,
    metrics_collection_stats: {
      health_check_interval_seconds: context.healthCheckIntervalMs / 1000,
      last_health_check: snapshot.health.timestamp.toISOString(),
      table_stats_error: snapshot.tablesError ?? "",
    },
  };
}

function bufferStats(snapshot: NodeSnapshot, maxBufferedBytes: number): Record<string, number> {
  const stats: Record<string, number> = {
    total_unflushed_records: 0,
    buffered_bytes: snapshot.bufferedBytes,
    max_buffered_bytes: maxBufferedBytes,
    oldest_unflushed_age_seconds: 0,
    tables: snapshot.tables.length,
    wal_bytes: snapshot.wal.bytes,
    wal_segments: snapshot.wal.segments,
  };
  for (const table of snapshot.tables) {
    stats["total_unflushed_records"]! += table.unflushedRecords;
    stats["oldest_unflushed_age_seconds"] = Math.max(
      stats["oldest_unflushed_age_seconds"]!,
      Math.floor(table.oldestUnflushedAgeSeconds),
    );
    stats[`${table.name}.unflushed_records`] = table.unflushedRecords;
    stats[`${table.name}.buffered_bytes`] = table.bufferedBytes;
    stats[`${table.name}.buffer_size`] = table.bufferSize;
  }
  return stats;
}

function redisStats(snapshot: NodeSnapshot): Record<string, number> {
  const metadata = snapshot.health.components.find((component) => component.name === "metadata");
  const { active, idle } = snapshot.metadataConnections;
  return {
    up: metadata?.ok ? 1 : 0,
    ping_latency_ms: Math.round(metadata?.latencyMs ?? 0),
    active_connections: active,
    idle_connections: idle,
    total_connections: active + idle,
  };
}

function minioStats(snapshot: NodeSnapshot): Record<string, number> {
  const stats: Record<string, number> = {
    objects_total: snapshot.tables.reduce((sum, table) => sum + table.fileCount, 0),
    bytes_total: snapshot.tables.reduce((sum, table) => sum + table.sizeBytes, 0),
  };
  for (const pool of snapshot.pools) {
    const probe = snapshot.health.components.find((component) => component.name === `storage.${pool.name}`);
    stats[`${pool.name}.up`] = probe?.ok ? 1 : 0;
    stats[`${pool.name}.active_connections`] = pool.connections.active;
    stats[`${pool.name}.idle_connections`] = pool.connections.idle;
  }
  const status = snapshot.poolStatus;
  if (status?.hasBackup) {
    stats["serving_backup"] = status.active === "backup" ? 1 : 0;
    stats["replication_pending_objects"] = status.replication.pendingObjects;
    stats["replication_pending_bytes"] = status.replication.pendingBytes;
    stats["replication_lag_ms"] = status.replication.oldestPendingAgeMs;
    stats["copy_back_pending_objects"] = status.copyBack.pendingObjects;
  }
  return stats;
}

function statusNodes(snapshot: NodeSnapshot, context: StatusContext): StatusNode[] {
  const self: StatusNode = {
    id: context.nodeId,
    status: snapshot.health.status,
    type: "all-in-one",
    address: context.address,
    last_seen: Math.floor(snapshot.at.getTime() / 1000),
  };
  const others = (context.registered ?? [])
    .filter((node) => node.id !== context.nodeId)
    .map((node) => ({
      id: node.id,
      status: "registered",
      type: node.role,
      address: node.address,
      // The registry keeps registrations with a time to live, not heartbeat times.
      last_seen: Math.floor(node.expiresAt.getTime() / 1000),
    }));
  return [self, ...others].sort((a, b) => a.id.localeCompare(b.id));
}
