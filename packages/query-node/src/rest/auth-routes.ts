import type { Hono } from "hono";
import { MiniodbError } from "@miniodb/core";
import type { TokenPair, TokenService } from "../auth/token-service.js";
import { readJsonBody } from "./rest-body.js";

/**
 * `POST /v1/auth/token {api_key, api_secret}` (GetToken; `secret` works too),
 * `POST /v1/auth/refresh {refresh_token}` and `DELETE /v1/auth/token {token}`.
 */
export function addAuthRoutes(app: Hono, tokens: TokenService | undefined): void {
  const service = () => {
    if (!tokens)
      throw new MiniodbError("unimplemented", "authentication is off on this server (auth.enabled)");
    return tokens;
  };
  app.post("/v1/auth/token", async (context) => {
    const body = readObject(await readJsonBody(context));
    const apiKey = stringField(body, "api_key", "apiKey");
    const secret = stringField(body, "api_secret", "apiSecret", "secret");
    return context.json(wire(await service().issue(apiKey, secret)));
  });
  app.post("/v1/auth/refresh", async (context) => {
    const body = readObject(await readJsonBody(context));
    return context.json(wire(await service().refresh(stringField(body, "refresh_token", "refreshToken"))));
  });
  app.delete("/v1/auth/token", async (context) => {
    const body = readObject(await readJsonBody(context));
    await service().revoke(stringField(body, "token"));
    return context.json({ success: true, message: "token revoked" });
  });
}

function wire(pair: TokenPair) {
  return {
    access_token: pair.accessToken,
    refresh_token: pair.refreshToken,
    expires_in: pair.expiresIn,
    token_type: pair.tokenType,
  };
}

function readObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new MiniodbError("invalid_argument", "the request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

/** The first of `names` present; invalid_argument when it is not a string. Missing is "". */
function stringField(body: Record<string, unknown>, ...names: string[]): string {
  for (const name of names) {
    if (!Object.hasOwn(body, name)) continue;
    const value = body[name];
    if (typeof value !== "string") throw new MiniodbError("invalid_argument", `${name} must be a string`);
    return value;
  }
  return "";
}
