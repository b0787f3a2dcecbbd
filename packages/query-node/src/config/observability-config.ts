import { z } from "zod";

/** The `observability` block: health probes and traces (metrics are always served on /metrics). */
export const observabilitySchema = z
  .object({
    /** How often metadata, each object store pool and DuckDB are probed in the background. */
    health_check_interval_seconds: z.number().min(0.1).max(3_600).default(10),
    /** A component that does not answer a probe within this long counts as down. */
    probe_timeout_ms: z.number().int().min(10).max(60_000).default(2_000),
  })
  .strict()
  .prefault({});

export type ObservabilityConfig = z.output<typeof observabilitySchema>;
