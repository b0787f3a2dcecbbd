/** What a node says about itself. */
export interface HealthReport {
  readonly status: "healthy" | "unhealthy";
  readonly version: string;
  readonly timestamp: Date;
  /** Per-component results ("ok" or the failure) and facts about the node. */
  readonly details: Readonly<Record<string, string>>;
}

/** A component check: resolves when the component works, rejects with the reason otherwise. */
export type HealthProbe = () => Promise<void>;

export interface HealthCheckOptions {
  readonly nodeId: string;
  readonly mode: string;
  readonly version: string;
  /** Components to check on every call, by name (e.g. metadata, storage, duckdb). */
  readonly probes?: Readonly<Record<string, HealthProbe>>;
  readonly probeTimeoutMs?: number;
  readonly now?: () => Date;
}

export type HealthCheck = () => Promise<HealthReport>;

/** Builds the node's health check: healthy when every probe answers in time. */
export function createHealthCheck({
  nodeId,
  mode,
  version,
  probes = {},
  probeTimeoutMs = 2_000,
  now = () => new Date(),
}: HealthCheckOptions): HealthCheck {
  const startedAt = now();
  return async () => {
    const names = Object.keys(probes);
    const results = await Promise.all(names.map((name) => runProbe(probes[name]!, probeTimeoutMs)));
    const details: Record<string, string> = {};
    names.forEach((name, index) => (details[name] = results[index]!));
    const timestamp = now();
    details["node_id"] = nodeId;
    details["mode"] = mode;
    details["uptime_seconds"] = String(Math.floor((timestamp.getTime() - startedAt.getTime()) / 1000));
    const healthy = results.every((result) => result === "ok");
    return { status: healthy ? "healthy" : "unhealthy", version, timestamp, details };
  };
}

async function runProbe(probe: HealthProbe, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([probe().then(() => "ok"), timeout]);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
