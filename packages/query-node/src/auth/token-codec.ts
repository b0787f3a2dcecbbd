import { readFile } from "node:fs/promises";
import {
  errors as joseErrors,
  importPKCS8,
  importSPKI,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
} from "jose";
import { MiniodbError } from "@miniodb/core";
import type { AuthConfig } from "./auth-config.js";

/** Access tokens authorise calls; refresh tokens only buy the next pair. The JWT `typ` header tells them apart. */
export type TokenUse = "access" | "refresh";

const TYP: Record<TokenUse, string> = { access: "at+jwt", refresh: "rt+jwt" };

/** The claims MinIODB puts in its tokens besides iss, aud, iat and exp. */
export interface TokenClaims {
  /** API key id (`sub`). */
  readonly keyId: string;
  /** Session (refresh chain) id (`sid`). */
  readonly sessionId: string;
  /** Unique token id (`jti`); for refresh tokens, the id the session must hold. */
  readonly tokenId: string;
  readonly role: string;
}

type SigningKey = CryptoKey | Uint8Array;

/**
 * Signs and verifies MinIODB's JWTs with one algorithm: HS256 with `auth.jwt.secret`, or the
 * configured key pair. Verification pins the algorithm (so `alg: none` and algorithm confusion
 * fail), checks signature, `typ`, issuer, audience and expiry, and answers unauthenticated for
 * any failure without saying which check failed beyond a short reason.
 */
export class TokenCodec {
  readonly #algorithm: string;
  readonly #signKey: SigningKey | undefined;
  readonly #verifyKey: SigningKey;
  readonly #issuer: string;
  readonly #audience: string;

  private constructor(
    algorithm: string,
    signKey: SigningKey | undefined,
    verifyKey: SigningKey,
    jwt: AuthConfig["jwt"],
  ) {
    this.#algorithm = algorithm;
    this.#signKey = signKey;
    this.#verifyKey = verifyKey;
    this.#issuer = jwt.issuer;
    this.#audience = jwt.audience;
  }

  /** `failed_precondition` when no key is configured or a key file cannot be read. */
  static async create(jwt: AuthConfig["jwt"]): Promise<TokenCodec> {
    if (jwt.secret) {
      const secret = new TextEncoder().encode(jwt.secret);
      return new TokenCodec("HS256", secret, secret, jwt);
    }
    if (!jwt.public_key_file) {
      throw new MiniodbError(
        "failed_precondition",
        "auth is enabled but no token key is configured: set auth.jwt.secret or auth.jwt.public_key_file",
      );
    }
    const verifyKey = await importSPKI(await readKeyFile(jwt.public_key_file), jwt.algorithm);
    const signKey = jwt.private_key_file
      ? await importPKCS8(await readKeyFile(jwt.private_key_file), jwt.algorithm)
      : undefined;
    return new TokenCodec(jwt.algorithm, signKey, verifyKey, jwt);
  }

  /** Whether this node can issue tokens (it has the secret or the private key). */
  get canSign(): boolean {
    return this.#signKey !== undefined;
  }

  async sign(use: TokenUse, claims: TokenClaims, issuedAt: Date, expiresAt: Date): Promise<string> {
    if (!this.#signKey) {
      throw new MiniodbError(
        "unimplemented",
        "this node only verifies tokens (no auth.jwt.private_key_file)",
      );
    }
    return new SignJWT({ sid: claims.sessionId, role: claims.role })
      .setProtectedHeader({ alg: this.#algorithm, typ: TYP[use] })
      .setSubject(claims.keyId)
      .setJti(claims.tokenId)
      .setIssuer(this.#issuer)
      .setAudience(this.#audience)
      .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.#signKey);
  }

  /** The claims of a valid token of `use`; unauthenticated otherwise. */
  async verify(use: TokenUse, token: string, now: Date): Promise<TokenClaims & { expiresAt: Date }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#verifyKey, {
        algorithms: [this.#algorithm],
        typ: TYP[use],
        issuer: this.#issuer,
        audience: this.#audience,
        currentDate: now,
        requiredClaims: ["sub", "jti", "sid", "exp"],
      }));
    } catch (error) {
      throw new MiniodbError("unauthenticated", `invalid ${use} token: ${reason(error)}`);
    }
    const { sub, jti, sid, role, exp } = payload;
    if (
      typeof sub !== "string" ||
      typeof jti !== "string" ||
      typeof sid !== "string" ||
      typeof exp !== "number"
    ) {
      throw new MiniodbError("unauthenticated", `invalid ${use} token: malformed claims`);
    }
    return { keyId: sub, tokenId: jti, sessionId: sid, role: String(role), expiresAt: new Date(exp * 1000) };
  }
}

function reason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim} is not accepted`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "bad signature";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "algorithm not accepted";
  return "malformed";
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new MiniodbError("failed_precondition", `cannot read token key file ${path}`, { cause: error });
  }
}
