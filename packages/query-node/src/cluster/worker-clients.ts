import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { NodeEntry } from "@miniodb/core";
import { WorkerService } from "@miniodb/proto/cluster";

export type WorkerClient = Client<typeof WorkerService>;

export interface WorkerClientsOptions {
  /** Deadline of each call. */
  readonly timeoutMs: number;
  /** Largest message sent or received. */
  readonly maxMessageBytes: number;
  /** Run around every call (e.g. the client span that carries the trace to the worker). */
  readonly interceptors?: readonly Interceptor[];
}

/** One Connect client per worker address, over one multiplexed cleartext HTTP/2 connection each. */
export class WorkerClients {
  readonly #options: WorkerClientsOptions;
  readonly #clients = new Map<string, { client: WorkerClient; sessions: Http2SessionManager }>();

  constructor(options: WorkerClientsOptions) {
    this.#options = options;
  }

  of(worker: NodeEntry): WorkerClient {
    const existing = this.#clients.get(worker.address);
    if (existing) return existing.client;
    const baseUrl = `http://${worker.address}`;
    const sessions = new Http2SessionManager(baseUrl, {
      pingIntervalMs: 10_000,
      idleConnectionTimeoutMs: 60_000,
    });
    const transport = createConnectTransport({
      baseUrl,
      httpVersion: "2",
      sessionManager: sessions,
      useBinaryFormat: true,
      defaultTimeoutMs: this.#options.timeoutMs,
      readMaxBytes: this.#options.maxMessageBytes,
      writeMaxBytes: this.#options.maxMessageBytes,
      interceptors: [...(this.#options.interceptors ?? [])],
      // Nothing is compressed on the internal API: fragment results are mostly Parquet (already
      // ZSTD) or small, and gzip on both sides cost more CPU and latency than the bytes saved
      // between nodes of one cluster.
      acceptCompression: [],
    });
    const client = createClient(WorkerService, transport);
    this.#clients.set(worker.address, { client, sessions });
    return client;
  }

  /** Drops the connections of addresses no longer in `live`. */
  retain(live: readonly NodeEntry[]): void {
    const addresses = new Set(live.map((worker) => worker.address));
    for (const [address, entry] of this.#clients) {
      if (addresses.has(address)) continue;
      entry.sessions.abort();
      this.#clients.delete(address);
    }
  }

  close(): void {
    this.retain([]);
  }
}
