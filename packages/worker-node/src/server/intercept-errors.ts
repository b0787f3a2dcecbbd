import type { StreamResponse, UnaryResponse } from "@connectrpc/connect";

/**
 * Runs `call` and passes every error of the RPC through `handle`, which returns the error to throw:
 * one thrown before the response, and, for a streamed response, one thrown while its messages
 * are read (the response is returned long before a stream fails).
 */
export async function interceptErrors<R extends UnaryResponse | StreamResponse>(
  call: () => Promise<R>,
  handle: (error: unknown) => unknown,
): Promise<R> {
  let response: R;
  try {
    response = await call();
  } catch (error) {
    throw handle(error);
  }
  if (!response.stream) return response;
  const messages = response.message;
  return {
    ...response,
    message: (async function* () {
      try {
        yield* messages;
      } catch (error) {
        throw handle(error);
      }
    })(),
  };
}
