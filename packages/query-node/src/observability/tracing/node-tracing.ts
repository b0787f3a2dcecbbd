import { context, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import type { TracingConfig } from "../../config/observability-config.js";

export interface NodeTracingOptions {
  readonly config: TracingConfig;
  readonly nodeId: string;
  readonly role: "all-in-one" | "query" | "worker";
  readonly version: string;
  /** Export here instead of the configured exporter, span by span (tests use an in-memory one). */
  readonly exporter?: SpanExporter;
}

/**
 * The node's tracer provider, or nothing when tracing is off: callers hold `tracer` as
 * `Tracer | undefined` and skip all span work without one, so tracing off costs one check.
 *
 * The provider is the node's own (two nodes in one process trace independently); what must be
 * process-wide is the context manager that makes the request's span the parent of spans started
 * anywhere below it, an AsyncLocalStorage one, registered once by the first node that traces.
 */
export class NodeTracing {
  readonly tracer: Tracer | undefined;
  readonly #provider: BasicTracerProvider | undefined;

  private constructor(provider: BasicTracerProvider | undefined, version: string) {
    this.#provider = provider;
    this.tracer = provider?.getTracer("miniodb", version);
  }

  static create(options: NodeTracingOptions): NodeTracing {
    const { config, nodeId, role, version } = options;
    if (options.exporter === undefined && config.exporter === "none")
      return new NodeTracing(undefined, version);
    registerContextManager();
    const processor = options.exporter
      ? new SimpleSpanProcessor(options.exporter)
      : new BatchSpanProcessor(
          new OTLPTraceExporter({
            url: config.otlp.endpoint,
            headers: { ...config.otlp.headers },
            timeoutMillis: config.otlp.timeout_ms,
          }),
          { scheduledDelayMillis: config.export_interval_ms },
        );
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        "service.name": "miniodb",
        "service.instance.id": nodeId,
        "service.version": version,
        "miniodb.role": role,
      }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sample_ratio) }),
      spanProcessors: [processor],
    });
    return new NodeTracing(provider, version);
  }

  /** Exports the spans still buffered, then stops. */
  async close(): Promise<void> {
    await this.#provider?.shutdown();
  }
}

let contextManagerRegistered = false;

function registerContextManager(): void {
  if (contextManagerRegistered) return;
  contextManagerRegistered = true;
  // Fails (returns false) only if something else registered one already, which then serves.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}
