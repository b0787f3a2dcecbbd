import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Logger } from "pino";

/**
 * A SpanExporter that logs when exports start failing (a warning with the reason and the spans
 * dropped) and when they succeed again, once per change, so an unreachable collector is visible
 * without a line every few seconds.
 */
export class LoggedSpanExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #logger: Logger;
  #failing = false;
  #dropped = 0;

  constructor(inner: SpanExporter, logger: Logger) {
    this.#inner = inner;
    this.#logger = logger;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        if (this.#failing) this.#logger.info({ dropped_spans: this.#dropped }, "trace export works again");
        this.#failing = false;
        this.#dropped = 0;
      } else {
        this.#dropped += spans.length;
        if (!this.#failing)
          this.#logger.warn(
            { err: result.error, spans: spans.length },
            "trace export failed; spans are dropped until the collector answers",
          );
        this.#failing = true;
      }
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }
}
