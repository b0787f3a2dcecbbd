import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { AuthService } from "@miniodb/proto";

/** An API key pair, as issued by the server's administrator. */
export interface ApiKeyCredentials {
  readonly apiKey: string;
  readonly secret: string;
}

export interface ApiKeyTokenSourceOptions {
  /**
   * Renew the access token this long before it expires (default 60 s), at most a quarter of its
   * lifetime before.
   */
  readonly refreshMarginSeconds?: number;
  /** Milliseconds since the epoch; injectable for tests. Default `Date.now`. */
  readonly now?: () => number;
}

interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When to renew, in `now()` milliseconds; Infinity when the server gave no lifetime. */
  readonly renewAt: number;
}

/** Codes with which a refresh token is refused: the pair is exchanged again instead. */
const REFRESH_REFUSED = new Set([
  Code.Unauthenticated,
  Code.PermissionDenied,
  Code.InvalidArgument,
  Code.NotFound,
]);

/**
 * Bearer tokens from an API key pair: exchanged with `AuthService.GetToken`, renewed with
 * `RefreshToken` shortly before they expire (the rotated refresh token replaces the old one), and
 * exchanged again when a refresh is refused. Concurrent callers share one request.
 */
export class ApiKeyTokenSource {
  readonly #auth: Client<typeof AuthService>;
  readonly #credentials: ApiKeyCredentials;
  readonly #marginMs: number;
  readonly #now: () => number;
  #session: Session | undefined;
  #renewing: Promise<Session> | undefined;

  constructor(
    auth: Client<typeof AuthService>,
    credentials: ApiKeyCredentials,
    options: ApiKeyTokenSourceOptions = {},
  ) {
    if (!credentials.apiKey || !credentials.secret)
      throw new TypeError("apiKey and secret are both required");
    this.#auth = auth;
    this.#credentials = credentials;
    this.#marginMs = (options.refreshMarginSeconds ?? 60) * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** The current access token, renewed first when it is about to expire. */
  async token(): Promise<string> {
    const session = this.#session;
    if (session && this.#now() < session.renewAt) return session.accessToken;
    this.#renewing ??= this.#renew(session).finally(() => (this.#renewing = undefined));
    return (await this.#renewing).accessToken;
  }

  /** Forgets `token` (e.g. the server refused it) so the next call obtains a new one. */
  invalidate(token: string): void {
    if (this.#session?.accessToken === token) this.#session = undefined;
  }

  /** Revokes the session on the server and forgets it. */
  async revoke(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (session) await this.#auth.revokeToken({ token: session.refreshToken || session.accessToken });
  }

  async #renew(previous: Session | undefined): Promise<Session> {
    if (previous?.refreshToken) {
      try {
        return this.#accept(await this.#auth.refreshToken({ refreshToken: previous.refreshToken }));
      } catch (error) {
        if (!REFRESH_REFUSED.has(ConnectError.from(error).code)) throw error;
      }
    }
    return this.#accept(
      await this.#auth.getToken({ apiKey: this.#credentials.apiKey, secret: this.#credentials.secret }),
    );
  }

  #accept(response: { accessToken: string; refreshToken: string; expiresIn: bigint }): Session {
    if (!response.accessToken) throw new ConnectError("the server issued no access token", Code.Internal);
    const lifetimeMs = Number(response.expiresIn) * 1000;
    const renewAt =
      lifetimeMs > 0
        ? this.#now() + lifetimeMs - Math.min(this.#marginMs, lifetimeMs / 4)
        : Number.POSITIVE_INFINITY;
    this.#session = { accessToken: response.accessToken, refreshToken: response.refreshToken, renewAt };
    return this.#session;
  }
}
