import { Worker } from "node:worker_threads";
import { MiniodbError } from "@miniodb/core";
import type { RecordInput } from "@miniodb/worker-node";
import type { Logger } from "pino";
import type { DecodedPayloads } from "./payload-decode-batch.js";
import { StructBytes } from "./proto-convert.js";

/** Reads the Struct payloads of StreamWrite records before they are written (see write-rpcs.ts). */
export interface PayloadDecoder {
  /** Settles the payload of every record read from the wire; resolves once they are settled. */
  decode(records: readonly RecordInput[]): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  readonly payloads: readonly StructBytes[];
  readonly resolve: () => void;
}

/**
 * Reads StreamWrite payloads on a thread of its own, so that the main thread, which every
 * request of the node shares, spends its time on the rest of the write. Batches are answered in
 * the order they were sent. Should the thread stop, pending and later records are read on the
 * main thread when they are written, as without the thread: nothing is lost, only slower.
 */
export class PayloadDecodeThread implements PayloadDecoder {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #logger: Logger;
  #nextId = 0;
  #stopped = false;

  constructor(logger: Logger) {
    this.#logger = logger;
    this.#worker = startThread();
    this.#worker.unref();
    this.#worker.on("message", (decoded: DecodedPayloads) => this.#settle(decoded));
    this.#worker.on("error", (error) => this.#stop(error));
    this.#worker.on("exit", (code) => this.#stop(new Error(`the thread exited with code ${code}`)));
  }

  decode(records: readonly RecordInput[]): Promise<void> {
    const payloads: StructBytes[] = [];
    let size = 0;
    for (const record of records) {
      if (record.encodedPayload instanceof StructBytes) {
        payloads.push(record.encodedPayload);
        size += record.encodedPayload.bytes.length;
      }
    }
    if (this.#stopped || payloads.length === 0) return Promise.resolve();
    const bytes = new Uint8Array(size);
    const offsets = new Int32Array(payloads.length + 1);
    let offset = 0;
    for (let i = 0; i < payloads.length; i++) {
      bytes.set(payloads[i]!.bytes, offset);
      offset += payloads[i]!.bytes.length;
      offsets[i + 1] = offset;
    }
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { payloads, resolve });
      this.#worker.postMessage({ id, bytes, offsets }, [bytes.buffer]);
    });
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.#releasePending();
    await this.#worker.terminate();
  }

  #settle(decoded: DecodedPayloads): void {
    const pending = this.#pending.get(decoded.id);
    if (pending === undefined) return;
    this.#pending.delete(decoded.id);
    const { payloads } = pending;
    const { json, shapes, shapeOf } = decoded;
    for (let i = 0; i < payloads.length; i++) {
      const shape = shapes[shapeOf[i]!];
      if (shape !== undefined) payloads[i]!.settle({ json: json[i]!, keys: shape.keys, types: shape.types });
    }
    for (const failure of decoded.failures)
      payloads[failure.index]!.settle(
        new MiniodbError(failure.code, failure.message, { details: failure.details }),
      );
    pending.resolve();
  }

  #stop(error: Error): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#logger.warn(
      { err: error },
      "the payload decoding thread stopped; payloads are read on the main thread",
    );
    this.#releasePending();
  }

  /** Pending records are left unsettled: they are read on the main thread when written. */
  #releasePending(): void {
    for (const pending of this.#pending.values()) pending.resolve();
    this.#pending.clear();
  }
}

function startThread(): Worker {
  const entry = new URL(
    import.meta.url.endsWith(".ts") ? "./payload-decode-thread.ts" : "./payload-decode-thread.js",
    import.meta.url,
  );
  if (entry.pathname.endsWith(".js")) return new Worker(entry);
  // Run from source: a worker thread does not inherit the TypeScript loader the process was
  // started with (`--import tsx`), so it registers it before loading the entry.
  return new Worker(
    `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`,
    { eval: true },
  );
}
