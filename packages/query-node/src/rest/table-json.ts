import { formatTimestampMicros, type TableConfig } from "@miniodb/core";
import type { TableView } from "../services/table-service.js";

/** A table as the REST API shows it: snake_case keys, numbers as numbers, RFC 3339 times. */
export function tableViewToJson(view: TableView) {
  const { stats } = view;
  return {
    name: view.entry.name,
    config: tableConfigToJson(view.entry.config),
    created_at: view.entry.createdAt.toISOString(),
    last_write: view.lastWrite?.toISOString() ?? null,
    status: view.status,
    stats: {
      record_count: stats.recordCount,
      file_count: stats.fileCount,
      size_bytes: stats.sizeBytes,
      oldest_record:
        stats.oldestRecordMicros === undefined ? null : formatTimestampMicros(stats.oldestRecordMicros),
      newest_record:
        stats.newestRecordMicros === undefined ? null : formatTimestampMicros(stats.newestRecordMicros),
    },
  };
}

function tableConfigToJson(config: TableConfig) {
  return {
    buffer_size: config.bufferSize,
    flush_interval_seconds: config.flushIntervalSeconds,
    retention_days: config.retentionDays,
    backup_enabled: config.backupEnabled,
    properties: config.properties,
    id_strategy: config.idStrategy,
    id_prefix: config.idPrefix,
    auto_generate_id: config.autoGenerateId,
    id_validation: {
      max_length: config.idValidation.maxLength ?? 0,
      pattern: config.idValidation.pattern ?? "",
      allowed_chars: config.idValidation.allowedChars ?? "",
    },
  };
}
