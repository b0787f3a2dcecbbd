import type { Counter, Histogram, Meter, ObservableGauge } from "@opentelemetry/api";

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const COUNTS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000];

/**
 * Every instrument a node exports, under the names of the original's documentation
 * (docs/observability.md lists them). Counters are named with their `_total` suffix, which the
 * Prometheus exporter keeps as is; gauges are observed from one snapshot per scrape (see
 * observe-node-gauges.ts).
 */
export function createMiniodbMetrics(meter: Meter) {
  const counter = (name: string, description: string): Counter => meter.createCounter(name, { description });
  const histogram = (name: string, description: string, boundaries = SECONDS): Histogram =>
    meter.createHistogram(name, { description, advice: { explicitBucketBoundaries: boundaries } });
  const gauge = (name: string, description: string): ObservableGauge =>
    meter.createObservableGauge(name, { description });
  return {
    requests: counter("miniodb_requests_total", "API requests by method, outcome and table"),
    requestDuration: histogram("miniodb_requests_duration_seconds", "API request duration in seconds"),
    writeOperations: counter(
      "miniodb_write_operations_total",
      "Records written (success) or refused (error)",
    ),
    updateOperations: counter("miniodb_update_operations_total", "Update calls"),
    deleteOperations: counter("miniodb_delete_operations_total", "Delete calls"),
    queryOperations: counter("miniodb_query_operations_total", "Queries, once per table read"),
    streamWriteRecords: counter("miniodb_stream_write_records_total", "Records received by StreamWrite"),
    streamQueryBatches: counter("miniodb_stream_query_batches_total", "Messages sent by StreamQuery"),
    streamQueryRecords: counter("miniodb_stream_query_records_total", "Records sent by StreamQuery"),
    backupOperations: counter("miniodb_backup_operations_total", "Metadata backups by outcome"),
    restoreOperations: counter("miniodb_restore_operations_total", "Metadata restores by outcome"),
    backupDuration: histogram("miniodb_backup_duration_seconds", "Duration of metadata backups"),
    cacheHits: counter("miniodb_cache_hits_total", "Cache lookups answered locally"),
    cacheMisses: counter("miniodb_cache_misses_total", "Cache lookups that fetched from object storage"),
    walFsyncDuration: histogram("miniodb_wal_fsync_duration_seconds", "WAL group commit (write + fsync)"),
    walWrittenBytes: counter("miniodb_wal_written_bytes_total", "Bytes appended to the WAL"),
    flushDuration: histogram("miniodb_flush_duration_seconds", "Buffer flushes to Parquet, upload to commit"),
    flushedRecords: counter("miniodb_flushed_records_total", "Records flushed into object storage"),
    flushRecordAge: histogram(
      "miniodb_flush_record_age_seconds",
      "How long the oldest record of a flush waited between its acknowledgement and the commit",
    ),
    queryObjectsFetched: histogram(
      "miniodb_query_objects_fetched",
      "Data files one query fetched from object storage (file cache misses)",
      COUNTS,
    ),
    queryFilesScanned: histogram("miniodb_query_files_scanned", "Data files one query read", COUNTS),
    gauges: {
      bufferSize: gauge("miniodb_buffer_size_bytes", "Bytes of unflushed rows per table"),
      storageObjects: gauge("miniodb_storage_objects_total", "Data files per table in the bucket"),
      tableRecords: gauge("miniodb_table_record_count", "Records per table, flushed and unflushed"),
      tableFiles: gauge("miniodb_table_file_count", "Data files per table"),
      tableSize: gauge("miniodb_table_size_bytes", "Bytes of data files per table"),
      tableBufferUtilization: gauge(
        "miniodb_table_buffer_utilization",
        "Unflushed rows as a fraction of the table's buffer_size",
      ),
      tableUnflushed: gauge(
        "miniodb_table_unflushed_records",
        "Acknowledged records not yet in object storage",
      ),
      tableUnflushedAge: gauge(
        "miniodb_table_oldest_unflushed_age_seconds",
        "Age of the oldest acknowledged record not yet in object storage",
      ),
      tablePartitions: gauge("miniodb_table_partitions", "Day partitions with data files per table"),
      tableMaxFilesPerPartition: gauge(
        "miniodb_table_max_files_per_partition",
        "Most data files in one day partition of the table",
      ),
      tableCompactionDebt: gauge(
        "miniodb_table_compaction_debt_files",
        "Data files beyond one per day partition (what compaction would merge away)",
      ),
      redisActive: gauge(
        "miniodb_redis_pool_active_connections",
        "Metadata store connections with a command in flight",
      ),
      redisIdle: gauge("miniodb_redis_pool_idle_connections", "Metadata store connections ready and idle"),
      minioActive: gauge(
        "miniodb_minio_pool_active_connections",
        "Object store connections with a request on them",
      ),
      minioIdle: gauge("miniodb_minio_pool_idle_connections", "Object store connections kept alive and idle"),
      storagePoolActive: gauge("miniodb_storage_pool_serving", "1 for the object store pool serving traffic"),
      replicationLagObjects: gauge(
        "miniodb_storage_replication_lag_objects",
        "Objects written to the serving pool and not yet copied to the other",
      ),
      replicationLagSeconds: gauge(
        "miniodb_storage_replication_lag_seconds",
        "Age of the oldest object waiting to be copied to the other pool",
      ),
      backupSize: gauge("miniodb_backup_size_bytes", "Size of each metadata backup"),
      cacheHitRatio: gauge("miniodb_cache_hit_ratio", "Cache hits / lookups since start"),
      querySuccessRate: gauge("miniodb_query_success_rate", "Successful queries / queries, last 5 minutes"),
      healthScore: gauge("miniodb_system_health_score", "Health score 0..100 (docs/observability.md)"),
      componentUp: gauge("miniodb_component_up", "1 when the component's last health probe passed"),
      memoryUsage: gauge("miniodb_memory_usage_bytes", "Memory by component"),
      cpuUsage: gauge("miniodb_cpu_usage_percent", "CPU use since the previous scrape"),
      walSize: gauge("miniodb_wal_size_bytes", "Bytes in the write-ahead log's segments"),
      walSegments: gauge("miniodb_wal_segments", "Segment files of the write-ahead log"),
      querySlotsBusy: gauge("miniodb_query_slots_busy", "DuckDB query slots in use"),
      queryQueueLength: gauge("miniodb_query_queue_length", "Queries waiting for a free DuckDB slot"),
    },
  };
}

export type MiniodbMetrics = ReturnType<typeof createMiniodbMetrics>;
