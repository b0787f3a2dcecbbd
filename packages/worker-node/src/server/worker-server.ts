import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { Interceptor, ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { WorkerService } from "@miniodb/proto/cluster";
import { createWorkerErrorInterceptor } from "./worker-rpc-errors.js";

export interface WorkerHandlerOptions {
  readonly service: Partial<ServiceImpl<typeof WorkerService>>;
  /** Largest message accepted, in bytes. */
  readonly readMaxBytes: number;
  readonly onServerFault?: (error: unknown, procedure: string) => void;
  /** Run around every call, outside the error translation (e.g. the span continuing the caller's trace). */
  readonly interceptors?: readonly Interceptor[];
  /** Serves requests outside the internal API (e.g. a node's /metrics and health routes). */
  readonly fallback?: WorkerRequestHandler;
}

export interface WorkerServerOptions extends WorkerHandlerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** A request listener for `http` and `http2` servers, as connect-node builds them. */
export type WorkerRequestHandler = ReturnType<typeof connectNodeAdapter>;

/** The request handler of the worker's internal API, for a server of the caller's choosing. */
export function createWorkerHandler(options: WorkerHandlerOptions): WorkerRequestHandler {
  return connectNodeAdapter({
    readMaxBytes: options.readMaxBytes,
    writeMaxBytes: options.readMaxBytes,
    interceptors: [...(options.interceptors ?? []), createWorkerErrorInterceptor(options.onServerFault)],
    routes: (router) => router.service(WorkerService, options.service),
    ...(options.fallback ? { fallback: options.fallback } : {}),
  });
}

/**
 * The worker's internal API (miniodb.cluster.v1.WorkerService) over cleartext HTTP/2: query nodes
 * connect with the Connect protocol over one multiplexed connection per worker.
 */
export class WorkerServer {
  readonly #server: http2.Http2Server;
  readonly #sessions = new Set<http2.ServerHttp2Session>();

  private constructor(options: WorkerServerOptions) {
    this.#server = http2.createServer(createWorkerHandler(options));
    this.#server.on("session", (session) => {
      this.#sessions.add(session);
      session.once("close", () => this.#sessions.delete(session));
    });
  }

  static async listen(options: WorkerServerOptions): Promise<WorkerServer> {
    const server = new WorkerServer(options);
    await new Promise<void>((resolve, reject) => {
      server.#server.once("error", reject);
      server.#server.listen(options.port, options.host, () => {
        server.#server.off("error", reject);
        resolve();
      });
    });
    return server;
  }

  get address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /** Stops accepting, lets calls in progress finish for up to `graceMs`, then closes the rest. */
  async close(graceMs = 10_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const session of this.#sessions) session.close();
    const timer = setTimeout(() => {
      for (const session of this.#sessions) session.destroy();
    }, graceMs);
    timer.unref();
    try {
      await closed;
    } finally {
      clearTimeout(timer);
    }
  }
}
