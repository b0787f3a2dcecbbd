import type { HealthCheck, HealthReport } from "../services/health-check.js";

export interface HealthMonitorOptions {
  readonly check: HealthCheck;
  /** How often the components are probed in the background. */
  readonly intervalMs: number;
  readonly onChange?: (report: HealthReport, previous: HealthReport | undefined) => void;
}

/**
 * Probes the node's components in the background every interval and keeps the latest report, for
 * gauges and the health score (a scrape never waits for a probe). `check` probes now and updates
 * the latest report too, so `/v1/health` and `/v1/status` are always fresh.
 */
export class HealthMonitor {
  readonly #options: HealthMonitorOptions;
  #latest: HealthReport | undefined;
  #running: Promise<HealthReport> | undefined;
  #timer: NodeJS.Timeout | undefined;

  private constructor(options: HealthMonitorOptions) {
    this.#options = options;
  }

  /** Runs a first check, then one every interval. */
  static async start(options: HealthMonitorOptions): Promise<HealthMonitor> {
    const monitor = new HealthMonitor(options);
    await monitor.check();
    monitor.#timer = setInterval(() => void monitor.check().catch(() => undefined), options.intervalMs);
    monitor.#timer.unref();
    return monitor;
  }

  /** Probes every component now (joining a probe already running). */
  check(): Promise<HealthReport> {
    this.#running ??= this.#options
      .check()
      .then((report) => {
        const previous = this.#latest;
        this.#latest = report;
        if (previous?.status !== report.status) this.#options.onChange?.(report, previous);
        return report;
      })
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** The latest report (there is always one after `start`). */
  latest(): HealthReport {
    return this.#latest!;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
