import type { IncomingHttpHeaders } from "node:http2";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createContextValues,
  type ContextValues,
  type HandlerContext,
} from "@connectrpc/connect";

/**
 * The HandlerContext of one call on the unary lane. What most calls never look at is built on
 * first use: the abort signal (an AbortController and its listeners per call were a large share of
 * a small write's cost), the response headers and trailers, the context values. The signal still
 * aborts when the client goes away or the deadline passes, also if it is first read afterwards.
 */
export class GrpcLaneContext implements HandlerContext {
  readonly method: DescMethod;
  readonly service: DescService;
  readonly protocolName = "grpc";
  readonly requestMethod = "POST";
  readonly url: string;
  readonly requestHeader: Headers;
  #deadline: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #abortReason: ConnectError | undefined;
  #controller: AbortController | undefined;
  #responseHeader: Headers | undefined;
  #responseTrailer: Headers | undefined;
  #values: ContextValues | undefined;
  #onAbort: ((reason: ConnectError) => void) | undefined;

  constructor(method: DescMethod, url: string, headers: IncomingHttpHeaders, timeoutMs: number | undefined) {
    this.method = method;
    this.service = method.parent;
    this.url = url;
    this.requestHeader = webHeaders(headers);
    if (timeoutMs !== undefined) {
      this.#deadline = Date.now() + timeoutMs;
      this.#timer = setTimeout(
        () => this.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded)),
        timeoutMs,
      );
    }
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#abortReason !== undefined && !this.#controller.signal.aborted) {
      this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  get responseHeader(): Headers {
    return (this.#responseHeader ??= new Headers());
  }

  get responseTrailer(): Headers {
    return (this.#responseTrailer ??= new Headers());
  }

  /** The headers the implementation set, if it touched them. */
  responseHeaderIfSet(): Headers | undefined {
    return this.#responseHeader;
  }

  /** The trailers the implementation set, if it touched them. */
  responseTrailerIfSet(): Headers | undefined {
    return this.#responseTrailer;
  }

  get values(): ContextValues {
    return (this.#values ??= createContextValues());
  }

  readonly timeoutMs = (): number | undefined =>
    this.#deadline === undefined ? undefined : this.#deadline - Date.now();

  /** Why the call was aborted, if it was. */
  get abortReason(): ConnectError | undefined {
    return this.#abortReason;
  }

  /** Aborts the call once; only a signal someone has read dispatches the abort. */
  abort(reason: ConnectError): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason;
    this.#onAbort?.(reason);
    this.finish();
    this.#controller?.abort(reason);
  }

  /** Called by the lane when the call can no longer be aborted. */
  finish(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The lane's own wait for the result, without an AbortController. */
  onAbort(listener: (reason: ConnectError) => void): void {
    this.#onAbort = listener;
  }

  /** Headers to send: `extra` over what the implementation set in `responseHeader`. */
  responseHeaderObject(extra: Record<string, string>): Record<string, string> {
    return this.#responseHeader === undefined
      ? extra
      : { ...Object.fromEntries(this.#responseHeader), ...extra };
  }
}

/** The request's headers without HTTP/2 pseudo-headers, as web Headers. */
function webHeaders(headers: IncomingHttpHeaders): Headers {
  const result = new Headers();
  for (const name in headers) {
    if (name.charCodeAt(0) === 58 /* ":" */) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) result.append(name, item);
    else result.set(name, value);
  }
  return result;
}
