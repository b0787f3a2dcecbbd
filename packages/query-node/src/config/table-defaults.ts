import { DEFAULT_TABLE_CONFIG, type TableConfig } from "@miniodb/core";
import type { Config } from "./config-schema.js";

/** The table config auto-created tables get, and that CreateTable fills zero fields from. */
export function tableDefaultsFromConfig(config: Config): TableConfig {
  const defaults = config.tables.defaults;
  return {
    ...DEFAULT_TABLE_CONFIG,
    bufferSize: defaults.buffer_size,
    flushIntervalSeconds: defaults.flush_interval_seconds,
    retentionDays: defaults.retention_days,
    idStrategy: defaults.id_strategy,
    autoGenerateId: defaults.auto_generate_id,
  };
}
