import { z } from "zod";

/** The `observability.tracing` block: OpenTelemetry spans of requests and their main steps. */
export const tracingSchema = z
  .object({
    /** Where spans go: nowhere (`none`, tracing off and free) or to an OTLP/HTTP collector. */
    exporter: z.enum(["none", "otlp"]).default("none"),
    otlp: z
      .object({
        /** The collector's OTLP/HTTP traces endpoint (JSON encoding). */
        endpoint: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:4318/v1/traces"),
        /** Extra HTTP headers of every export (e.g. an authorization header). */
        headers: z.record(z.string(), z.string()).default({}),
        /** Deadline of one export. */
        timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
      })
      .strict()
      .prefault({}),
    /**
     * Share of traces started here that are recorded (0 to 1). A request carrying a W3C
     * `traceparent` follows the caller's decision.
     */
    sample_ratio: z.number().min(0).max(1).default(1),
    /** Finished spans are exported in batches at least this often. */
    export_interval_ms: z.number().int().min(10).max(60_000).default(5_000),
  })
  .strict()
  .prefault({});

/** The `observability` block: health probes and traces (metrics are always served on /metrics). */
export const observabilitySchema = z
  .object({
    /** How often metadata, each object store pool and DuckDB are probed in the background. */
    health_check_interval_seconds: z.number().min(0.1).max(3_600).default(10),
    /** A component that does not answer a probe within this long counts as down. */
    probe_timeout_ms: z.number().int().min(10).max(60_000).default(2_000),
    tracing: tracingSchema,
  })
  .strict()
  .prefault({});

export type ObservabilityConfig = z.output<typeof observabilitySchema>;
export type TracingConfig = z.output<typeof tracingSchema>;
