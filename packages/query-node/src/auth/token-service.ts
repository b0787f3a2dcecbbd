import { randomUUID } from "node:crypto";
import { MiniodbError, type MetadataStore } from "@miniodb/core";
import type { ApiKeyConfig, AuthConfig } from "./auth-config.js";
import { principalOf, type Principal } from "./principal.js";
import { hashSecret, verifySecret } from "./secret-hash.js";
import type { TokenCodec } from "./token-codec.js";

/** What GetToken and RefreshToken answer. `expiresIn` is the access token's lifetime in seconds. */
export interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
  readonly tokenType: "Bearer";
}

export interface TokenServiceOptions {
  readonly codec: TokenCodec;
  readonly metadata: MetadataStore;
  readonly config: AuthConfig;
  readonly now?: () => Date;
}

/** Checked against when the key id is unknown, so a miss costs as long as a wrong secret. */
const decoyHash = hashSecret("decoy secret for unknown key ids");

/**
 * Exchanges API key pairs for tokens, rotates refresh tokens and revokes sessions, and turns an
 * access token into the caller's Principal. Sessions live in the metadata store, so every node
 * honours a refresh or a revocation made on another.
 */
export class TokenService {
  readonly #codec: TokenCodec;
  readonly #metadata: MetadataStore;
  readonly #keys: ReadonlyMap<string, ApiKeyConfig>;
  readonly #accessTtlMs: number;
  readonly #refreshTtlMs: number;
  readonly #now: () => Date;

  constructor({ codec, metadata, config, now = () => new Date() }: TokenServiceOptions) {
    this.#codec = codec;
    this.#metadata = metadata;
    this.#keys = new Map(config.api_keys.map((key) => [key.id, key]));
    this.#accessTtlMs = config.jwt.access_ttl_seconds * 1000;
    this.#refreshTtlMs = Math.max(config.jwt.refresh_ttl_seconds, config.jwt.access_ttl_seconds) * 1000;
    this.#now = now;
  }

  /** GetToken: unauthenticated for an unknown key or a wrong secret (the same message for both). */
  async issue(apiKey: string, secret: string): Promise<TokenPair> {
    if (apiKey === "" || secret === "") {
      throw new MiniodbError("invalid_argument", "api_key and secret are required");
    }
    const key = this.#keys.get(apiKey);
    const matches = await verifySecret(secret, key?.secret_hash ?? (await decoyHash));
    if (!key || !matches) throw new MiniodbError("unauthenticated", "unknown api key or wrong secret");
    const now = this.#now();
    const sessionId = randomUUID();
    const refreshTokenId = randomUUID();
    const expiresAt = new Date(now.getTime() + this.#refreshTtlMs);
    await this.#metadata.createAuthSession({ id: sessionId, keyId: key.id, refreshTokenId, expiresAt }, now);
    return this.#pair(key, sessionId, refreshTokenId, now, expiresAt);
  }

  /**
   * RefreshToken: a new pair for the current refresh token of a live session. Presenting any
   * earlier token of the session revokes the session (its access tokens stop working too).
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const now = this.#now();
    const claims = await this.#codec.verify("refresh", refreshToken, now);
    const next = randomUUID();
    const rotation = await this.#metadata.rotateAuthSession(claims.sessionId, claims.tokenId, next, now);
    if (rotation.outcome === "reused") {
      throw new MiniodbError("unauthenticated", "refresh token was already used: the session is revoked");
    }
    if (rotation.outcome !== "rotated")
      throw new MiniodbError("unauthenticated", "the session is revoked or expired");
    const key = this.#keys.get(claims.keyId);
    if (!key) throw new MiniodbError("unauthenticated", "the api key no longer exists");
    return this.#pair(key, claims.sessionId, next, now, rotation.session.expiresAt);
  }

  /** RevokeToken: ends the session of an access or refresh token, on every node. */
  async revoke(token: string): Promise<void> {
    if (token === "") throw new MiniodbError("invalid_argument", "token is required");
    const now = this.#now();
    const claims = await this.#codec
      .verify("access", token, now)
      .catch(() => this.#codec.verify("refresh", token, now));
    await this.#metadata.revokeAuthSession(claims.sessionId, now);
  }

  /** The caller behind an access token: unauthenticated when invalid, expired or revoked. */
  async authenticate(accessToken: string): Promise<Principal> {
    const now = this.#now();
    const claims = await this.#codec.verify("access", accessToken, now);
    const session = await this.#metadata.getAuthSession(claims.sessionId, now);
    if (!session || session.revoked) throw new MiniodbError("unauthenticated", "the token was revoked");
    const key = this.#keys.get(claims.keyId);
    if (!key || session.keyId !== key.id)
      throw new MiniodbError("unauthenticated", "the api key no longer exists");
    return principalOf(key);
  }

  /** Access tokens never outlive their session; `expiresIn` is exactly what the token says. */
  async #pair(
    key: ApiKeyConfig,
    sessionId: string,
    refreshTokenId: string,
    now: Date,
    sessionExpiry: Date,
  ): Promise<TokenPair> {
    // JWT times are whole seconds: count from the second the token says it was issued.
    const issuedAt = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const accessExpiryMs = Math.min(issuedAt.getTime() + this.#accessTtlMs, sessionExpiry.getTime());
    const accessExpiry = new Date(Math.floor(accessExpiryMs / 1000) * 1000);
    const base = { keyId: key.id, sessionId, role: key.role };
    const [accessToken, refreshToken] = await Promise.all([
      this.#codec.sign("access", { ...base, tokenId: randomUUID() }, issuedAt, accessExpiry),
      this.#codec.sign("refresh", { ...base, tokenId: refreshTokenId }, issuedAt, sessionExpiry),
    ]);
    const expiresIn = Math.max(0, (accessExpiry.getTime() - issuedAt.getTime()) / 1000);
    return { accessToken, refreshToken, expiresIn, tokenType: "Bearer" };
  }
}
