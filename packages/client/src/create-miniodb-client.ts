import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { AuthService, MinIODBService } from "@miniodb/proto";

/** How the client talks to the server. Every MinIODB port answers all three. */
export type MiniodbProtocol = "grpc" | "connect" | "grpc-web";

export interface MiniodbClientOptions {
  /** e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string;
  /** Default "grpc" (HTTP/2, binary). "connect" and "grpc-web" also work over HTTP/1.1. */
  readonly protocol?: MiniodbProtocol;
  /** "2" (default for grpc) or "1.1" (default otherwise). gRPC always uses HTTP/2. */
  readonly httpVersion?: "1.1" | "2";
  /** Bearer token, or a function that returns the current one (called per request). */
  readonly token?: string | (() => string | Promise<string>);
  /** Per-call timeout in milliseconds; none by default. */
  readonly timeoutMs?: number;
  /** Extra interceptors, run after the token interceptor. */
  readonly interceptors?: readonly Interceptor[];
}

export interface MiniodbClient {
  /** Data, table, metadata and monitoring RPCs. */
  readonly db: Client<typeof MinIODBService>;
  /** Token issue, refresh and revocation. */
  readonly auth: Client<typeof AuthService>;
  readonly transport: Transport;
}

/** Creates a typed client for a MinIODB server. */
export function createMiniodbClient(options: MiniodbClientOptions): MiniodbClient {
  const transport = createTransport(options);
  return {
    db: createClient(MinIODBService, transport),
    auth: createClient(AuthService, transport),
    transport,
  };
}

function createTransport(options: MiniodbClientOptions): Transport {
  const interceptors = [
    ...(options.token ? [bearerToken(options.token)] : []),
    ...(options.interceptors ?? []),
  ];
  const common = { baseUrl: options.baseUrl, interceptors, defaultTimeoutMs: options.timeoutMs };
  switch (options.protocol ?? "grpc") {
    case "grpc":
      return createGrpcTransport(common);
    case "connect":
      return createConnectTransport({ ...common, httpVersion: options.httpVersion ?? "1.1" });
    case "grpc-web":
      return createGrpcWebTransport({ ...common, httpVersion: options.httpVersion ?? "1.1" });
    default:
      throw new TypeError(`unknown protocol ${String(options.protocol)}: use grpc, connect or grpc-web`);
  }
}

function bearerToken(token: NonNullable<MiniodbClientOptions["token"]>): Interceptor {
  return (next) => async (request) => {
    const value = typeof token === "function" ? await token() : token;
    request.header.set("authorization", `Bearer ${value}`);
    return next(request);
  };
}
