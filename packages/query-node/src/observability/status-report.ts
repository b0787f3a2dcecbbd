import type { NodeEntry } from "@miniodb/core";
import type { NodeSnapshot } from "./node-snapshot.js";

/** One node as GetStatus lists it: `NodeInfo` of the API, and more for REST. */
export interface StatusNode {
  readonly id: string;
  /** The answering node's health; for others their state, or `unreachable` (a worker not answering). */
  readonly status: string;
  /** The role: `all-in-one`, `query` or `worker`. */
  readonly type: string;
  readonly address: string;
  /** Epoch seconds of the last heartbeat (now for the answering node). */
  readonly last_seen: number;
  readonly role: string;
  /** `active` or `draining` (leaving, takes no new writes). */
  readonly state: string;
  readonly last_heartbeat: string;
  /** Shards of the ring the node owns (workers; an all-in-one node owns them all). */
  readonly shards_owned: number;
  /** Rows acknowledged by the node and not yet flushed. */
  readonly buffered_rows: number;
  /** Why a worker did not report its numbers. */
  readonly error?: string;
}

/** What a query node last heard from a worker (see cluster/worker-stats.ts). */
export interface WorkerReportView {
  readonly bufferedRows: number;
  readonly ownedShards: number;
  readonly error?: string;
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
  /** This node's role. */
  readonly role: string;
  /** Shards this node owns itself (an all-in-one node: every shard; a query node: none). */
  readonly ownShards: number;
  /** Registrations last this long after a heartbeat (to tell the heartbeat's time). */
  readonly heartbeatTtlMs: number;
  /** A worker's last report, on a query node. */
  readonly workerReport?: ((id: string) => WorkerReportView | undefined) | undefined;
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
      live_rows: {
        tables: snapshot.liveRows.tables,
        source_bytes: snapshot.liveRows.bytes,
        builds: snapshot.liveRows.builds,
        failed_builds: snapshot.liveRows.failures,
        reads: snapshot.liveRows.reads,
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
  const now = snapshot.at;
  const self: StatusNode = {
    id: context.nodeId,
    status: snapshot.health.status,
    type: context.role,
    address: context.address,
    last_seen: Math.floor(now.getTime() / 1000),
    role: context.role,
    state: "active",
    last_heartbeat: now.toISOString(),
    shards_owned: context.ownShards,
    buffered_rows:
      context.role === "query" ? 0 : snapshot.tables.reduce((sum, t) => sum + t.unflushedRecords, 0),
  };
  const others = (context.registered ?? [])
    .filter((node) => node.id !== context.nodeId)
    .map((node) => registeredNode(node, context));
  return [self, ...others].sort((a, b) => a.id.localeCompare(b.id));
}

function registeredNode(node: NodeEntry, context: StatusContext): StatusNode {
  const state = node.state ?? "active";
  // A registration lasts heartbeat_ttl_ms from the heartbeat that wrote it.
  const heartbeat = new Date(
    Math.max(node.startedAt.getTime(), node.expiresAt.getTime() - context.heartbeatTtlMs),
  );
  const report = node.role === "worker" ? context.workerReport?.(node.id) : undefined;
  return {
    id: node.id,
    status: report?.error === undefined ? state : "unreachable",
    type: node.role,
    address: node.address,
    last_seen: Math.floor(heartbeat.getTime() / 1000),
    role: node.role,
    state,
    last_heartbeat: heartbeat.toISOString(),
    shards_owned: report?.ownedShards ?? 0,
    buffered_rows: report?.bufferedRows ?? 0,
    ...(report?.error === undefined ? {} : { error: report.error }),
  };
}
