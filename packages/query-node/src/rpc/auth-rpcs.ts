import { create } from "@bufbuild/protobuf";
import { MiniodbError } from "@miniodb/core";
import {
  GetTokenResponseSchema,
  RefreshTokenResponseSchema,
  RevokeTokenResponseSchema,
  type GetTokenRequest,
  type RefreshTokenRequest,
  type RevokeTokenRequest,
} from "@miniodb/proto";
import type { TokenService } from "../auth/token-service.js";

/** AuthService: GetToken, RefreshToken and RevokeToken; `unimplemented` while auth is off. */
export function createAuthRpcs(tokens: TokenService | undefined) {
  const service = () => {
    if (!tokens)
      throw new MiniodbError("unimplemented", "authentication is off on this server (auth.enabled)");
    return tokens;
  };
  return {
    async getToken(request: GetTokenRequest) {
      return create(GetTokenResponseSchema, toWire(await service().issue(request.apiKey, request.secret)));
    },
    async refreshToken(request: RefreshTokenRequest) {
      return create(RefreshTokenResponseSchema, toWire(await service().refresh(request.refreshToken)));
    },
    async revokeToken(request: RevokeTokenRequest) {
      await service().revoke(request.token);
      return create(RevokeTokenResponseSchema, { success: true, message: "token revoked" });
    },
  };
}

function toWire(pair: Awaited<ReturnType<TokenService["issue"]>>) {
  return { ...pair, expiresIn: BigInt(pair.expiresIn) };
}
