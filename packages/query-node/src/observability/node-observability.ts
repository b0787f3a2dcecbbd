import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import { parseDataFileKey } from "@miniodb/core";
import type { CacheLookup } from "@miniodb/executor";
import type { FlushReport, WalGroupCommit } from "@miniodb/worker-node";
import type { HealthCheck, HealthReport } from "../services/health-check.js";
import { HealthMonitor } from "./health-monitor.js";
import { createMiniodbMetrics, type MiniodbMetrics } from "./miniodb-metrics.js";
import { NodeSnapshotter, type NodeSnapshot } from "./node-snapshot.js";
import type { NodeStatsSources } from "./node-stats.js";
import { observeNodeGauges } from "./observe-node-gauges.js";
import { PrometheusRegistry } from "./prometheus-registry.js";
import type { RequestContext } from "./request-context.js";
import { createRequestRecorder } from "./request-recorder.js";
import { RequestWindow } from "./request-window.js";
import { CpuSampler } from "./resource-usage.js";
import type { NodeTracing } from "./tracing/node-tracing.js";

export interface NodeObservabilityOptions {
  readonly nodeId: string;
  readonly version: string;
  readonly logger: Logger;
  readonly healthCheckIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly slowQueryMs: number;
  /** The node's traces (a tracer, or none when tracing is off); closed with the rest. */
  readonly tracing: NodeTracing;
}

/**
 * A node's metrics, traces, health monitor and snapshots. Built before the data path (whose hooks record
 * into `metrics`); `attach` connects the live sources once they exist and starts the monitor.
 */
export class NodeObservability {
  readonly metrics: MiniodbMetrics;
  readonly window = new RequestWindow();
  readonly startedAt = new Date();
  readonly #options: NodeObservabilityOptions;
  readonly #registry: PrometheusRegistry;
  readonly #recordRequest: (context: RequestContext, ok: boolean) => void;
  #monitor: HealthMonitor | undefined;
  #snapshotter: NodeSnapshotter | undefined;
  #sources: NodeStatsSources | undefined;

  constructor(options: NodeObservabilityOptions) {
    this.#options = options;
    this.#registry = new PrometheusRegistry({ nodeId: options.nodeId, version: options.version });
    this.metrics = createMiniodbMetrics(this.#registry.meter);
    for (const status of ["success", "error"]) {
      // Present from the start, so alert expressions over them evaluate before the first backup.
      this.metrics.backupOperations.add(0, { status });
      this.metrics.restoreOperations.add(0, { status });
    }
    this.#recordRequest = createRequestRecorder({
      metrics: this.metrics,
      window: this.window,
      logger: options.logger,
      slowQueryMs: options.slowQueryMs,
    });
  }

  get nodeId(): string {
    return this.#options.nodeId;
  }

  get version(): string {
    return this.#options.version;
  }

  /** Records spans, when tracing is on. */
  get tracer(): Tracer | undefined {
    return this.#options.tracing.tracer;
  }

  get healthCheckIntervalMs(): number {
    return this.#options.healthCheckIntervalMs;
  }

  /** Connects the node's live sources and starts the background health probes. */
  async attach(sources: NodeStatsSources, healthCheck: HealthCheck): Promise<void> {
    const { logger, healthCheckIntervalMs, probeTimeoutMs } = this.#options;
    this.#sources = sources;
    this.#monitor = await HealthMonitor.start({
      check: healthCheck,
      intervalMs: healthCheckIntervalMs,
      onChange: (report, previous) => {
        const failing = report.components.filter((component) => !component.ok);
        const fields = { status: report.status, previous: previous?.status, failing };
        if (report.status === "healthy") logger.info(fields, "health changed");
        else logger.warn(fields, "health changed");
      },
    });
    this.#snapshotter = new NodeSnapshotter({
      sources,
      window: this.window,
      cpu: new CpuSampler(),
      health: () => this.#monitor!.latest(),
      timeoutMs: probeTimeoutMs,
    });
    observeNodeGauges(this.#registry.meter, this.metrics, this.#options.nodeId, () => this.snapshot());
  }

  get sources(): NodeStatsSources {
    return this.#sources!;
  }

  /** Called by the request edge when a request finishes. */
  recordRequest(context: RequestContext, ok: boolean): void {
    this.#recordRequest(context, ok);
  }

  /** The data path's hooks: WAL commits, flushes and file cache lookups become metrics. */
  dataPathHooks() {
    const metrics = this.metrics;
    const node = { node: this.#options.nodeId };
    return {
      onGroupCommit: (group: WalGroupCommit) => {
        metrics.walFsyncDuration.record(group.seconds, node);
        metrics.walWrittenBytes.add(group.bytes, node);
      },
      onFlush: (flush: FlushReport) => {
        const labels = { table: flush.table };
        metrics.flushDuration.record(flush.seconds, labels);
        metrics.flushedRecords.add(flush.rows, labels);
        metrics.flushRecordAge.record(flush.oldestRowAgeSeconds, labels);
      },
      // One query looks up every file it reads: counted per table, one add per table and outcome.
      onCacheLookups: (lookups: readonly CacheLookup[]) => {
        for (const [table, { hits, misses }] of lookupsByTable(lookups)) {
          const labels = { cache_type: "file", table };
          if (hits > 0) metrics.cacheHits.add(hits, labels);
          if (misses > 0) metrics.cacheMisses.add(misses, labels);
        }
      },
    };
  }

  /** Probes every component now. */
  checkHealth(): Promise<HealthReport> {
    return this.#monitor!.check();
  }

  snapshot(): Promise<NodeSnapshot> {
    return this.#snapshotter!.take();
  }

  /** The Prometheus text format. */
  scrape(): Promise<string> {
    return this.#registry.scrape();
  }

  async close(): Promise<void> {
    this.#monitor?.close();
    await Promise.all([this.#registry.close(), this.#options.tracing.close()]);
  }
}

/** Hits and misses per table; keys under one table directory are parsed once. */
function lookupsByTable(lookups: readonly CacheLookup[]): Map<string, { hits: number; misses: number }> {
  const tableOfDirectory = new Map<string, string>();
  const counts = new Map<string, { hits: number; misses: number }>();
  for (const { key, hit } of lookups) {
    const directory = key.slice(0, key.lastIndexOf("/") + 1);
    let table = tableOfDirectory.get(directory);
    if (table === undefined) {
      table = tableOfKey(key);
      if (table !== "") tableOfDirectory.set(directory, table);
    }
    const count = counts.get(table) ?? { hits: 0, misses: 0 };
    if (hit) count.hits++;
    else count.misses++;
    counts.set(table, count);
  }
  return counts;
}

function tableOfKey(key: string): string {
  try {
    return parseDataFileKey(key).table;
  } catch {
    return "";
  }
}
