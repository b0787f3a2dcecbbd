/** healthy: everything answers; degraded: serving, with a redundant part down; unhealthy: not serving. */
export type HealthStatus = "healthy" | "degraded" | "unhealthy";

/** The last probe of one component. */
export interface ComponentHealth {
  readonly name: string;
  readonly ok: boolean;
  /** "ok" or why the probe failed. */
  readonly detail: string;
  readonly latencyMs: number;
}

/** What a node says about itself. */
export interface HealthReport {
  readonly status: HealthStatus;
  readonly version: string;
  readonly timestamp: Date;
  /** Per-component results ("ok" or the failure) and facts about the node. */
  readonly details: Readonly<Record<string, string>>;
  readonly components: readonly ComponentHealth[];
}

/** A component check: resolves when the component works, rejects with the reason otherwise. */
export type HealthProbe = () => Promise<void>;

/**
 * A probe with its weight: a failing `critical` component makes the node unhealthy; components of
 * one `group` (the object store's primary and backup pools) make it unhealthy only when all fail,
 * degraded otherwise.
 */
export interface ComponentProbe {
  readonly probe: HealthProbe;
  readonly critical?: boolean;
  readonly group?: string;
}

export interface HealthCheckOptions {
  readonly nodeId: string;
  readonly mode: string;
  readonly version: string;
  /** Components to check on every call, by name (e.g. metadata, storage, duckdb); plain probes are critical. */
  readonly probes?: Readonly<Record<string, HealthProbe | ComponentProbe>>;
  readonly probeTimeoutMs?: number;
  readonly now?: () => Date;
}

export type HealthCheck = () => Promise<HealthReport>;

/** Builds the node's health check: every probe runs on every call, bounded by the timeout. */
export function createHealthCheck({
  nodeId,
  mode,
  version,
  probes = {},
  probeTimeoutMs = 2_000,
  now = () => new Date(),
}: HealthCheckOptions): HealthCheck {
  const startedAt = now();
  const components = Object.entries(probes).map(([name, probe]) => ({
    name,
    ...(typeof probe === "function" ? { probe, critical: true } : { critical: true, ...probe }),
  }));
  return async () => {
    const results = await Promise.all(
      components.map(async (component) => ({
        ...component,
        ...(await runProbe(component.probe, probeTimeoutMs)),
      })),
    );
    const details: Record<string, string> = {};
    for (const result of results) details[result.name] = result.detail;
    const timestamp = now();
    details["node_id"] = nodeId;
    details["mode"] = mode;
    details["uptime_seconds"] = String(Math.floor((timestamp.getTime() - startedAt.getTime()) / 1000));
    const status = overallStatus(results);
    return {
      status,
      version,
      timestamp,
      details,
      components: results.map(({ name, ok, detail, latencyMs }) => ({ name, ok, detail, latencyMs })),
    };
  };
}

function overallStatus(
  results: ReadonlyArray<{ ok: boolean; critical: boolean; group?: string | undefined }>,
): HealthStatus {
  if (results.some((result) => !result.ok && result.critical && result.group === undefined))
    return "unhealthy";
  const groups = new Set(results.flatMap((result) => (result.group === undefined ? [] : [result.group])));
  for (const group of groups)
    if (results.filter((result) => result.group === group).every((result) => !result.ok)) return "unhealthy";
  return results.every((result) => result.ok) ? "healthy" : "degraded";
}

async function runProbe(probe: HealthProbe, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  let detail: string;
  try {
    detail = await Promise.race([probe().then(() => "ok"), timeout]);
  } catch (error) {
    detail = error instanceof Error ? error.message || error.name : String(error);
  } finally {
    clearTimeout(timer);
  }
  return { ok: detail === "ok", detail, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
}
