import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import type { Meter } from "@opentelemetry/api";

export interface PrometheusRegistryOptions {
  readonly nodeId: string;
  readonly version: string;
}

/**
 * The node's OpenTelemetry meter provider read by the Prometheus exporter, without the exporter's
 * own HTTP server: `/metrics` is a route of the API ports and calls `scrape`, which collects and
 * serialises with the exporter's serializer. Metric labels are exactly the attributes recorded
 * (no scope labels); `target_info` carries the node's identity.
 */
export class PrometheusRegistry {
  readonly meter: Meter;
  readonly #provider: MeterProvider;
  readonly #exporter: PrometheusExporter;
  readonly #serializer = new PrometheusSerializer(undefined, false, undefined, false, true);

  constructor({ nodeId, version }: PrometheusRegistryOptions) {
    this.#exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
    this.#provider = new MeterProvider({
      resource: resourceFromAttributes({
        "service.name": "miniodb",
        "service.instance.id": nodeId,
        "service.version": version,
      }),
      readers: [this.#exporter],
    });
    this.meter = this.#provider.getMeter("miniodb", version);
  }

  /** The current values in the Prometheus text format (version 0.0.4). */
  async scrape(): Promise<string> {
    const { resourceMetrics } = await this.#exporter.collect();
    return this.#serializer.serialize(resourceMetrics);
  }

  async close(): Promise<void> {
    await this.#provider.shutdown();
  }
}

/** Content type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
