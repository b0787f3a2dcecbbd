import type { Logger } from "pino";
import type { MetadataStore } from "@miniodb/core";
import type { DuckDbEngine } from "@miniodb/executor";
import type { ResolvedConfig } from "../config/node-identity.js";
import type { ComponentProbe } from "../services/health-check.js";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeObservability } from "./node-observability.js";
import { NodeTracing } from "./tracing/node-tracing.js";
import type { StoragePoolSource } from "./node-stats.js";

export interface NodeObservabilityExtras {
  /** Spans go here instead of to the configured exporter (tests). */
  readonly spanExporter?: SpanExporter | undefined;
}

/** The node's observability, configured by the `observability` and `log` blocks. */
export function createNodeObservability(
  config: ResolvedConfig,
  logger: Logger,
  version: string,
  role: "all-in-one" | "query" | "worker",
  extras: NodeObservabilityExtras = {},
) {
  return new NodeObservability({
    nodeId: config.node.id,
    version,
    logger: logger.child({ component: "observability" }),
    healthCheckIntervalMs: config.observability.health_check_interval_seconds * 1000,
    probeTimeoutMs: config.observability.probe_timeout_ms,
    slowQueryMs: config.log.slow_query_ms,
    tracing: NodeTracing.create({
      config: config.observability.tracing,
      nodeId: config.node.id,
      role,
      version,
      ...(extras.spanExporter ? { exporter: extras.spanExporter } : {}),
    }),
  });
}

/**
 * What the health check probes: the metadata store, each object store pool (as a group: with a
 * backup pool, one pool down is degraded, both down unhealthy) and DuckDB where the node has one
 * (a parse on its own connection, so busy query slots do not make a node look dead).
 */
export function nodeHealthProbes(
  metadata: MetadataStore,
  pools: readonly StoragePoolSource[],
  engine?: DuckDbEngine,
): Record<string, ComponentProbe> {
  const probes: Record<string, ComponentProbe> = {
    metadata: { probe: () => metadata.ping(), critical: true },
  };
  for (const pool of pools)
    probes[`storage.${pool.name}`] = { probe: () => pool.probe(), critical: true, group: "storage" };
  if (engine) probes["duckdb"] = { probe: async () => void (await engine.parse("SELECT 1")), critical: true };
  return probes;
}
