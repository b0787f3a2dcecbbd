import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { AuthService, HealthCheckResponseSchema, MinIODBService } from "@miniodb/proto";

/**
 * A real Connect server over HTTP/2 implementing AuthService the way the node does: an API key pair
 * is exchanged for an access + refresh token pair, a refresh token works once (rotation), and
 * HealthCheck answers only a current access token (it echoes the authorization header).
 */
export class FakeAuthServer {
  readonly calls: string[] = [];
  /** Lifetime the server announces for access tokens, in seconds. */
  expiresIn = 900n;
  baseUrl = "";
  readonly #validAccess = new Set<string>();
  readonly #validRefresh = new Set<string>();
  readonly #sessions = new Set<http2.ServerHttp2Session>();
  readonly #server: http2.Http2Server;
  #issued = 0;

  private constructor(
    private readonly apiKey: string,
    private readonly secret: string,
  ) {
    this.#server = http2.createServer(connectNodeAdapter({ routes: (router) => this.#routes(router) }));
    this.#server.on("session", (session) => this.#sessions.add(session));
  }

  static async start(apiKey: string, secret: string): Promise<FakeAuthServer> {
    const fake = new FakeAuthServer(apiKey, secret);
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** Ends every session, as an administrator revoking the key would. */
  revokeAll(): void {
    this.#validAccess.clear();
    this.#validRefresh.clear();
  }

  /** Forgets every token and call, and numbers tokens from 1 again. */
  reset(): void {
    this.revokeAll();
    this.calls.length = 0;
    this.expiresIn = 900n;
    this.#issued = 0;
  }

  close(): Promise<void> {
    for (const session of this.#sessions) session.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #routes(router: ConnectRouter): void {
    router.service(AuthService, {
      getToken: (request) => {
        this.calls.push("GetToken");
        if (request.apiKey !== this.apiKey || request.secret !== this.secret) {
          throw new ConnectError("invalid API key or secret", Code.Unauthenticated);
        }
        return this.#issue();
      },
      refreshToken: (request) => {
        this.calls.push("RefreshToken");
        if (!this.#validRefresh.delete(request.refreshToken)) {
          throw new ConnectError("refresh token was already used", Code.Unauthenticated);
        }
        return this.#issue();
      },
      revokeToken: (request) => {
        this.calls.push(`RevokeToken ${request.token}`);
        this.revokeAll();
        return { success: true, message: "revoked" };
      },
    });
    router.service(MinIODBService, {
      healthCheck: (_request, context) => {
        const authorization = context.requestHeader.get("authorization") ?? "";
        this.calls.push(`HealthCheck ${authorization}`);
        if (!this.#validAccess.has(authorization.replace(/^Bearer /, ""))) {
          throw new ConnectError("the token was revoked", Code.Unauthenticated);
        }
        return create(HealthCheckResponseSchema, { status: "healthy", details: { authorization } });
      },
    });
  }

  #issue() {
    const n = ++this.#issued;
    this.#validAccess.add(`access-${n}`);
    this.#validRefresh.add(`refresh-${n}`);
    return {
      accessToken: `access-${n}`,
      refreshToken: `refresh-${n}`,
      expiresIn: this.expiresIn,
      tokenType: "Bearer",
    };
  }
}
