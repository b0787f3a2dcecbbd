import { Worker } from "node:worker_threads";
import { PayloadSerializer } from "@miniodb/core";
import type { RecordInput } from "@miniodb/worker-node";
import type { Logger } from "pino";
import { StructBytes } from "../rpc/proto-convert.js";
import { payloadOutcomes, type DecodedPayloads } from "./decoded-payloads.js";
import type { DecodeReply, DecodeRequest } from "./decode-thread-protocol.js";
import { structBatchOf } from "./struct-batch.js";
import {
  decodeRestBatch,
  restBatchOf,
  type DecodedRestBatch,
  type RestBatch,
  type RestBatchBody,
} from "./rest-batch.js";

/**
 * Reads what a write carries before it is written: the Struct payloads of StreamWrite records
 * and the bodies of REST batches.
 */
export interface IngestDecoder {
  /** Settles the payload of every record read from the wire; resolves once they are settled. */
  decodeStructs(records: readonly RecordInput[]): Promise<void>;
  /** The records of a `POST /v1/data/batch` body; rejects with the body's error. */
  readRestBatch(body: RestBatchBody): Promise<RestBatch>;
  close(): Promise<void>;
}

/** Reads on the calling thread: REST batches at once, Struct payloads when they are written. */
export class InlineDecoder implements IngestDecoder {
  readonly #serializer = new PayloadSerializer();

  decodeStructs(): Promise<void> {
    return Promise.resolve();
  }

  readRestBatch(body: RestBatchBody): Promise<RestBatch> {
    return Promise.resolve().then(() => restBatchOf(decodeRestBatch(this.#serializer, body)));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Pending {
  readonly settle: (decoded: DecodedPayloads | DecodedRestBatch | undefined) => void;
}

/**
 * Reads on a thread of its own, so that the main thread, which every request of the node shares,
 * spends its time on the rest of the writes. Requests are answered in the order they were sent.
 * Should the thread stop, pending and later work is done on the main thread, as by
 * `InlineDecoder`: nothing is lost, only slower.
 */
export class DecodeThread implements IngestDecoder {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #logger: Logger;
  readonly #inline = new InlineDecoder();
  #nextId = 0;
  #stopped = false;

  constructor(logger: Logger) {
    this.#logger = logger;
    this.#worker = startThread();
    this.#worker.unref();
    this.#worker.on("message", (reply: DecodeReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      pending?.settle(reply.decoded);
    });
    this.#worker.on("error", (error) => this.#stop(error));
    this.#worker.on("exit", (code) => this.#stop(new Error(`the thread exited with code ${code}`)));
  }

  decodeStructs(records: readonly RecordInput[]): Promise<void> {
    const payloads: StructBytes[] = [];
    for (const record of records)
      if (record.encodedPayload instanceof StructBytes) payloads.push(record.encodedPayload);
    if (this.#stopped || payloads.length === 0) return Promise.resolve();
    const batch = structBatchOf(payloads);
    return new Promise((resolve) => {
      this.#send({ id: this.#nextId++, kind: "structs", batch }, batch.bytes, (decoded) => {
        // Without an answer (the thread stopped) the payloads are read when written.
        if (decoded !== undefined) {
          const outcomes = payloadOutcomes(decoded as DecodedPayloads);
          for (let i = 0; i < payloads.length; i++) payloads[i]!.settle(outcomes[i]!);
        }
        resolve();
      });
    });
  }

  readRestBatch(body: RestBatchBody): Promise<RestBatch> {
    if (this.#stopped) return this.#inline.readRestBatch(body);
    // The bytes go to the thread: a copy (never a view) keeps the caller's buffer usable.
    const bytes = new Uint8Array(body.bytes);
    return new Promise((resolve, reject) => {
      this.#send(
        { id: this.#nextId++, kind: "rest", body: { bytes, ndjson: body.ndjson, rowLines: body.rowLines } },
        bytes,
        (decoded) => {
          const read =
            decoded === undefined
              ? this.#inline.readRestBatch(body)
              : Promise.resolve().then(() => restBatchOf(decoded as DecodedRestBatch));
          read.then(resolve, reject);
        },
      );
    });
  }

  async close(): Promise<void> {
    this.#stopped = true;
    this.#releasePending();
    await this.#worker.terminate();
  }

  #send(request: DecodeRequest, bytes: Uint8Array<ArrayBuffer>, settle: Pending["settle"]): void {
    this.#pending.set(request.id, { settle });
    this.#worker.postMessage(request, [bytes.buffer]);
  }

  #stop(error: Error): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#logger.warn({ err: error }, "the decode thread stopped; writes are read on the main thread");
    this.#releasePending();
  }

  /** Pending requests are answered with nothing: their callers read on the main thread. */
  #releasePending(): void {
    for (const pending of this.#pending.values()) pending.settle(undefined);
    this.#pending.clear();
  }
}

function startThread(): Worker {
  const entry = new URL(
    import.meta.url.endsWith(".ts") ? "./decode-thread.ts" : "./decode-thread.js",
    import.meta.url,
  );
  if (entry.pathname.endsWith(".js")) return new Worker(entry);
  // Run from source: a worker thread does not inherit the TypeScript loader the process was
  // started with (`--import tsx`), so it registers it before loading the entry. The loader is
  // resolved here, from this module, not from the thread's working directory.
  const loader = import.meta.resolve("tsx/esm/api");
  return new Worker(
    `import(${JSON.stringify(loader)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`,
    { eval: true },
  );
}
