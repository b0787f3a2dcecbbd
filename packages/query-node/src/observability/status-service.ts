import { metricsReport, type MetricsReport } from "./metrics-report.js";
import type { NodeObservability } from "./node-observability.js";
import { statusReport, type StatusContext, type StatusReport } from "./status-report.js";

export interface StatusServiceOptions {
  readonly observability: NodeObservability;
  /** host:port other nodes and clients reach this node at (known once it listens). */
  readonly address: () => string;
  readonly nodeListTimeoutMs: number;
  /** This node's role, shards it owns, and the registry's TTL (see StatusContext). */
  readonly role: string;
  readonly ownShards: () => number;
  readonly heartbeatTtlMs: number;
  readonly workerReport?: StatusContext["workerReport"];
}

/** GetStatus, GetMetrics and the Prometheus scrape, over the node's observability. */
export class StatusService {
  readonly #options: StatusServiceOptions;

  constructor(options: StatusServiceOptions) {
    this.#options = options;
  }

  /** Probes the components now, then reports. */
  async status(): Promise<StatusReport> {
    const { observability, address } = this.#options;
    await observability.checkHealth();
    const sources = observability.sources;
    const [snapshot, registered] = await Promise.all([observability.snapshot(), this.#registeredNodes()]);
    return statusReport(snapshot, {
      nodeId: observability.nodeId,
      metadataKind: sources.metadataKind,
      storageKind: sources.storageKind,
      address: address(),
      maxBufferedBytes: sources.maxBufferedBytes,
      healthCheckIntervalMs: observability.healthCheckIntervalMs,
      registered,
      role: this.#options.role,
      ownShards: this.#options.ownShards(),
      heartbeatTtlMs: this.#options.heartbeatTtlMs,
      workerReport: this.#options.workerReport,
    });
  }

  async metrics(): Promise<MetricsReport> {
    const { observability } = this.#options;
    const snapshot = await observability.snapshot();
    return metricsReport(snapshot, observability.window, {
      nodeId: observability.nodeId,
      version: observability.version,
      metadataKind: observability.sources.metadataKind,
      storageKind: observability.sources.storageKind,
      startedAt: observability.startedAt,
    });
  }

  scrape(): Promise<string> {
    return this.#options.observability.scrape();
  }

  async #registeredNodes() {
    const { observability, nodeListTimeoutMs } = this.#options;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), nodeListTimeoutMs);
    });
    try {
      return await Promise.race([observability.sources.metadata.listNodes(new Date()), timeout]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
