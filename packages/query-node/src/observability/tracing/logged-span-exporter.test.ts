import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { pino } from "pino";
import { LoggedSpanExporter } from "./logged-span-exporter.js";

/** An exporter whose outcome the test switches. */
class SwitchableExporter implements SpanExporter {
  up = true;
  export(_spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    done(
      this.up
        ? { code: ExportResultCode.SUCCESS }
        : { code: ExportResultCode.FAILED, error: new Error("ECONNREFUSED") },
    );
  }
  async shutdown(): Promise<void> {}
}

describe("LoggedSpanExporter", () => {
  it("logs once when exports start failing and once when they work again, passing results on", () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const inner = new SwitchableExporter();
    const exporter = new LoggedSpanExporter(inner, pino(sink));
    const results: ExportResultCode[] = [];
    const send = (count: number) =>
      exporter.export(new Array<ReadableSpan>(count), (result) => results.push(result.code));
    send(1);
    inner.up = false;
    send(2);
    send(3);
    inner.up = true;
    send(1);
    assert.deepEqual(results, [0, 1, 1, 0]);
    assert.deepEqual(
      lines.map((line) => [line["msg"], line["spans"] ?? line["dropped_spans"]]),
      [
        ["trace export failed; spans are dropped until the collector answers", 2],
        ["trace export works again", 5],
      ],
    );
  });
});
