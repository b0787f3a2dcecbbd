import http from "node:http";
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import net from "node:net";
import type { AddressInfo, Socket } from "node:net";
import type { connectNodeAdapter } from "@connectrpc/connect-node";

/** A request listener that serves both `http` and `http2` requests, as connect-node builds them. */
export type NodeHandlerFn = ReturnType<typeof connectNodeAdapter>;

/**
 * Serves some HTTP/2 streams straight from the session's `stream` event, without the request and
 * response objects of Node's compatibility layer (which cost a small call more than the rest of it).
 */
export interface StreamLane {
  /** Whether the lane serves a stream with these request headers; otherwise the handler does. */
  accepts(headers: IncomingHttpHeaders): boolean;
  /**
   * Serves a stream `accepts` took; never throws. Every response carries `responseHeaders`
   * (e.g. the request id).
   */
  serve(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    responseHeaders: Readonly<Record<string, string>>,
  ): void;
}

/** What a server serves: every request through `handler`, except the HTTP/2 streams `streams` takes. */
export interface RequestHandler {
  readonly handler: NodeHandlerFn;
  readonly streams?: StreamLane | undefined;
}

/** The HTTP/2 connection preface every cleartext HTTP/2 (h2c prior-knowledge) client sends first. */
const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export interface ProtocolServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly handler: NodeHandlerFn;
  /** HTTP/2 streams served without the handler (see StreamLane). */
  readonly streams?: StreamLane | undefined;
  /** Serve TLS with this certificate and key: HTTP/2 and HTTP/1.1 chosen by ALPN. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** How long an idle HTTP/1.1 keep-alive connection stays open (Node's default is 5 s). */
  readonly keepAliveTimeoutMs?: number | undefined;
}

/**
 * Node's 5 s HTTP/1.1 keep-alive timeout loses requests on a busy node: a client sends its next
 * request on the kept-alive connection, the node's event loop is held up past the timeout (a
 * loaded machine, a long synchronous step), and when it runs again its timers come before its
 * reads, so it closes the connection with the request unread and the client gets ECONNRESET.
 * A timeout longer than clients keep idle connections (HTTP clients use 4–60 s) makes the client
 * the side that closes them.
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * One TCP port that serves HTTP/1.1 and cleartext HTTP/2 with the same handler.
 *
 * Node's `http2.createServer({ allowHTTP1 })` only falls back to HTTP/1.1 under TLS, so the first
 * bytes of each connection are sniffed: the HTTP/2 preface goes to an `http2` server, anything
 * else to an `http` server. gRPC needs HTTP/2; curl, browsers and Connect JSON use either.
 */
export class ProtocolServer {
  readonly #tcp: net.Server;
  readonly #http1: http.Server;
  readonly #http2: http2.Http2Server | http2.Http2SecureServer;
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<http2.ServerHttp2Session>();

  private constructor(
    handler: NodeHandlerFn,
    streams: StreamLane | undefined,
    tls: ProtocolServerOptions["tls"],
    keepAliveTimeoutMs = DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  ) {
    // Headers must be allowed at least as long as an idle connection lives (Node checks both).
    // No limit on a whole request: a large batch upload may take minutes.
    const timeouts = {
      keepAliveTimeout: keepAliveTimeoutMs,
      headersTimeout: Math.max(60_000, keepAliveTimeoutMs + 1_000),
      requestTimeout: 0,
    };
    this.#http1 = http.createServer(timeouts, handler);
    // Node tracks an http.Server's connections (which closeIdleConnections and the headers and
    // request timeouts rely on) from its 'listening' event; this one never listens, it is handed
    // sockets, so it is told. Without this, an idle keep-alive connection held close() for the
    // whole grace period.
    this.#http1.emit("listening");
    if (tls) {
      // Under TLS, Node's HTTP/2 server serves HTTP/1.1 too (ALPN), so no sniffing is needed.
      const secure = http2.createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true }, handler);
      // Its HTTP/1.1 fallback sets no keep-alive timeout: idle connections close from the client.
      secure.on("secureConnection", (socket: Socket) => this.#track(socket));
      this.#http2 = secure;
      this.#tcp = secure;
    } else {
      this.#http2 = http2.createServer(handler);
      this.#tcp = net.createServer((socket) => this.#accept(socket));
    }
    if (streams) routeStreams(this.#http2, streams);
    this.#http2.on("session", (session: http2.ServerHttp2Session) => {
      this.#sessions.add(session);
      session.once("close", () => this.#sessions.delete(session));
    });
  }

  static async listen(options: ProtocolServerOptions): Promise<ProtocolServer> {
    const server = new ProtocolServer(
      options.handler,
      options.streams,
      options.tls,
      options.keepAliveTimeoutMs,
    );
    await new Promise<void>((resolve, reject) => {
      server.#tcp.once("error", reject);
      server.#tcp.listen(options.port, options.host, () => {
        server.#tcp.off("error", reject);
        resolve();
      });
    });
    return server;
  }

  get address(): AddressInfo {
    return this.#tcp.address() as AddressInfo;
  }

  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then closes
   * whatever is left.
   */
  async close(graceMs = 10_000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#tcp.close(() => resolve()));
    this.#http1.closeIdleConnections();
    for (const session of this.#sessions) session.close();
    const timer = setTimeout(() => {
      for (const socket of this.#sockets) socket.destroy();
    }, graceMs);
    timer.unref();
    const drain = setInterval(() => this.#http1.closeIdleConnections(), 100);
    try {
      await closed;
    } finally {
      clearTimeout(timer);
      clearInterval(drain);
    }
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  }

  #accept(socket: Socket): void {
    this.#track(socket);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const compared = Math.min(head.length, HTTP2_PREFACE.length);
      const isHttp2 = head.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared));
      if (isHttp2 && compared < HTTP2_PREFACE.length) return; // wait for the whole preface
      socket.off("data", onData);
      socket.pause();
      socket.unshift(head);
      if (isHttp2) {
        // The HTTP/2 session reads the socket itself; resuming here would lose the preface.
        this.#http2.emit("connection", socket);
      } else {
        this.#http1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  }
}

/**
 * Puts `lane` in front of the HTTP/2 server's request handler. Node's compatibility layer is the
 * server's one `stream` listener, which wraps each stream in a request and a response and emits
 * `request`; it is replaced by a listener that gives the lane's streams to the lane and the others
 * to that same compatibility listener, so they are served exactly as before.
 */
function routeStreams(server: http2.Http2Server | http2.Http2SecureServer, lane: StreamLane): void {
  const compatibility = server.listeners("stream") as Array<(...args: unknown[]) => void>;
  if (compatibility.length !== 1) {
    throw new Error(`expected one stream listener on the HTTP/2 server, found ${compatibility.length}`);
  }
  const [serveCompatible] = compatibility as [(...args: unknown[]) => void];
  server.removeListener("stream", serveCompatible);
  server.on("stream", (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, ...rest: unknown[]) => {
    if (lane.accepts(headers)) lane.serve(stream, headers, {});
    else serveCompatible.call(server, stream, headers, ...rest);
  });
}
