import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** Where the bearer token of each call comes from. */
export interface TokenProvider {
  token(): Promise<string>;
  /** Called when the server refused `token`; the next `token()` should return another one. */
  invalidate?(token: string): void;
}

/**
 * Sets `authorization: Bearer <token>` on every call. When the server answers `unauthenticated`
 * and the provider can renew (an API key pair), the token is invalidated and a unary call is
 * retried once with a fresh one; streams are not replayed.
 */
export function bearerTokenInterceptor(provider: TokenProvider): Interceptor {
  return (next) => async (request) => {
    const token = await provider.token();
    request.header.set("authorization", `Bearer ${token}`);
    try {
      return await next(request);
    } catch (error) {
      if (!provider.invalidate || ConnectError.from(error).code !== Code.Unauthenticated) throw error;
      provider.invalidate(token);
      if (request.stream) throw error;
      request.header.set("authorization", `Bearer ${await provider.token()}`);
      return next(request);
    }
  };
}
