import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { MinIODBService } from "@miniodb/proto";
import { rssMiB } from "./node-process.js";

function client(baseUrl: string) {
  return createClient(MinIODBService, createGrpcTransport({ baseUrl }));
}

/** Milliseconds from sending a StreamQuery to its first message; the stream is then cancelled. */
export async function firstStreamBatchMs(baseUrl: string, sql: string, batchSize: number): Promise<number> {
  const abort = new AbortController();
  const started = performance.now();
  try {
    for await (const message of client(baseUrl).streamQuery({ sql, batchSize }, { signal: abort.signal })) {
      void message;
      return performance.now() - started;
    }
    return performance.now() - started;
  } finally {
    abort.abort();
  }
}

/** Streams the whole result, sampling the node's resident memory every 100 ms. */
export async function streamAll(baseUrl: string, sql: string, batchSize: number, nodePid: number) {
  let maxRssMiB = rssMiB(nodePid);
  const sampler = setInterval(() => (maxRssMiB = Math.max(maxRssMiB, rssMiB(nodePid))), 100);
  const started = performance.now();
  let rows = 0;
  try {
    for await (const message of client(baseUrl).streamQuery({ sql, batchSize }))
      rows += message.records.length;
  } finally {
    clearInterval(sampler);
  }
  return { rows, seconds: (performance.now() - started) / 1000, maxRssMiB };
}
