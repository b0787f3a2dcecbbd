import type { HealthReport } from "../services/health-check.js";

export interface HealthScoreInputs {
  readonly health: HealthReport;
  /** Share of data requests (writes, queries, updates, deletes) that succeeded in the window. */
  readonly successRate: number;
  /** Unflushed bytes / worker.max_buffered_bytes. */
  readonly bufferPressure: number;
  /** Queries waiting for a DuckDB slot / slots. */
  readonly queuePressure: number;
}

/**
 * The node's health score, 0 to 100:
 *
 *   score = 100 × (0.5 × C + 0.3 × S + 0.2 × R)
 *
 * C (components): 0 when the node is unhealthy, else the share of component probes that pass;
 * S (success): the share of data requests that succeeded over the last 5 minutes (1 when none);
 * R (resources): 1 − max(buffer pressure, query queue pressure), each capped at 1.
 *
 * An unhealthy node scores at most 50, a degraded one (a storage pool down) about 75–90, so the
 * original's alert `miniodb_system_health_score < 70` fires when the node cannot serve.
 */
export function healthScore({
  health,
  successRate,
  bufferPressure,
  queuePressure,
}: HealthScoreInputs): number {
  const { components } = health;
  const passing = components.filter((component) => component.ok).length;
  const c = health.status === "unhealthy" ? 0 : components.length === 0 ? 1 : passing / components.length;
  const r = 1 - Math.min(1, Math.max(0, bufferPressure, queuePressure));
  const score = 100 * (0.5 * c + 0.3 * clamp(successRate) + 0.2 * r);
  return Math.round(score * 10) / 10;
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}
