import type { TableConfig } from "./table-config.js";

const MICROS_PER_DAY = 86_400_000_000;

/**
 * The oldest timestamp (epoch µs) a table keeps at `nowMs`: rows older than `retention_days`
 * days are expired, hidden from queries at once and removed by the retention job. Undefined when
 * the table keeps rows forever (`retention_days` 0).
 */
export function retentionCutoff(
  config: Pick<TableConfig, "retentionDays">,
  nowMs: number,
): number | undefined {
  if (config.retentionDays <= 0) return undefined;
  return nowMs * 1000 - config.retentionDays * MICROS_PER_DAY;
}
