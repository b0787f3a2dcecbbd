import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One finished span as a node exported it. */
export interface CollectedSpan {
  readonly name: string;
  /** The exporting node's `miniodb.role` (all-in-one, query, worker). */
  readonly role: string;
  /** Wall-clock start, in ms since the epoch (the nodes share this machine's clock). */
  readonly startMs: number;
  readonly durationMs: number;
}

/**
 * A minimal OTLP/HTTP (JSON) traces receiver for benchmarks: nodes export to `endpoint`, and the
 * spans are kept by trace id. The benchmark starts each timed request's trace itself (a sampled
 * `traceparent`, see newTraceparent) while the nodes sample nothing on their own, so only those
 * requests are traced.
 */
export class SpanCollector {
  readonly #server: Server;
  readonly #traces: Map<string, CollectedSpan[]>;

  private constructor(server: Server, traces: Map<string, CollectedSpan[]>) {
    this.#server = server;
    this.#traces = traces;
  }

  static async start(): Promise<SpanCollector> {
    const traces = new Map<string, CollectedSpan[]>();
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        try {
          addSpans(traces, JSON.parse(Buffer.concat(chunks).toString("utf8")) as ExportRequest);
        } catch {
          // A malformed export is dropped.
        }
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new SpanCollector(server, traces);
  }

  /** The URL to set as the nodes' `observability.tracing.otlp.endpoint`. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1/traces`;
  }

  /** The spans of a trace received so far. */
  spans(traceId: string): readonly CollectedSpan[] {
    return this.#traces.get(traceId) ?? [];
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

function addSpans(traces: Map<string, CollectedSpan[]>, body: ExportRequest): void {
  for (const resourceSpans of body.resourceSpans ?? []) {
    const role =
      resourceSpans.resource?.attributes?.find((attribute) => attribute.key === "miniodb.role")?.value
        ?.stringValue ?? "";
    for (const scope of resourceSpans.scopeSpans ?? [])
      for (const span of scope.spans ?? []) {
        const startMs = nanos(span.startTimeUnixNano) / 1e6;
        const durationMs = nanos(span.endTimeUnixNano) / 1e6 - startMs;
        const trace = traces.get(span.traceId) ?? [];
        trace.push({ name: span.name, role, startMs, durationMs });
        traces.set(span.traceId, trace);
      }
  }
}

/** A sampled W3C `traceparent` starting a new trace, and the trace's id (hex, as exported). */
export function newTraceparent(): { header: string; traceId: string } {
  const traceId = randomBytes(16).toString("hex");
  return { header: `00-${traceId}-${randomBytes(8).toString("hex")}-01`, traceId };
}

/**
 * The time of each phase of traced requests: per trace, the longest span of each role and name
 * (parallel calls to two workers count as the slower one), then the median over the traces.
 */
export function phaseMedians(traces: readonly (readonly CollectedSpan[])[]): Map<string, number> {
  const byPhase = new Map<string, number[]>();
  for (const spans of traces) {
    const longest = new Map<string, number>();
    for (const span of spans) {
      const key = `${span.role} ${span.name}`;
      longest.set(key, Math.max(longest.get(key) ?? 0, span.durationMs));
    }
    for (const [key, ms] of longest) byPhase.set(key, [...(byPhase.get(key) ?? []), ms]);
  }
  return new Map(
    [...byPhase].map(([key, samples]) => [
      key,
      [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!,
    ]),
  );
}

/** One trace's spans in order of their start: `+start ms  duration ms  role name`, from the first span. */
export function timeline(spans: readonly CollectedSpan[]): string[] {
  const sorted = [...spans].sort((a, b) => a.startMs - b.startMs);
  const origin = sorted[0]?.startMs ?? 0;
  return sorted.map(
    (span) =>
      `+${(span.startMs - origin).toFixed(1).padStart(6)} ms ${span.durationMs.toFixed(1).padStart(7)} ms  ` +
      `${span.role} ${span.name}`,
  );
}

interface ExportRequest {
  readonly resourceSpans?: ReadonlyArray<{
    readonly resource?: {
      readonly attributes?: ReadonlyArray<{ key: string; value?: { stringValue?: string } }>;
    };
    readonly scopeSpans?: ReadonlyArray<{
      readonly spans?: ReadonlyArray<{
        readonly traceId: string;
        readonly name: string;
        readonly startTimeUnixNano: Nanos;
        readonly endTimeUnixNano: Nanos;
      }>;
    }>;
  }>;
}

/** OTLP JSON writes 64-bit nanoseconds as a string, a number, or (older encoders) two halves. */
type Nanos = string | number | { low: number; high: number };

function nanos(value: Nanos): number {
  if (typeof value === "object") return (value.high >>> 0) * 2 ** 32 + (value.low >>> 0);
  return Number(value);
}
