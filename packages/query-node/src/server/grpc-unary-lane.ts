import {
  constants as http2Constants,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from "node:http2";
import {
  create,
  fromBinary,
  isMessage,
  toBinary,
  type DescMethodUnary,
  type Message,
} from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createMethodImplSpec,
  type Interceptor,
  type MethodImplSpec,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { grpcStatusOk, parseTimeout, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { currentRequest } from "../observability/request-context.js";
import { GrpcLaneContext } from "./grpc-lane-context.js";
import { ENVELOPE_HEADER_BYTES, readLaneBody } from "./read-lane-body.js";
import type { StreamLane } from "./protocol-server.js";

/** `application/grpc` and `application/grpc+proto`, with optional parameters. */
const GRPC_PROTO_CONTENT_TYPE = /^application\/grpc(?:\+proto)?\s*(?:;|$)/i;

type UnarySpec = MethodImplSpec & { kind: "unary" };

export interface GrpcUnaryLaneOptions {
  /** Unary methods the lane serves, each with its implementation. */
  readonly specs: readonly MethodImplSpec[];
  /** The interceptors of the Connect handler, run around every call in the same order. */
  readonly interceptors: readonly Interceptor[];
  /** Largest request message in bytes (the Connect handler's `readMaxBytes`). */
  readonly readMaxBytes: number;
}

/**
 * A short path for binary gRPC unary calls of a few hot methods (WriteData): it reads the one
 * enveloped message of an HTTP/2 stream, runs the method's implementation through the same
 * interceptors as the Connect handler, and answers with the message and a `grpc-status` trailer.
 * The general Connect handler pays for streaming machinery on every call (async iterables, linked
 * abort signals, header conversions), and Node's HTTP/2 compatibility layer for a request and a
 * response object around the stream; both dominated the cost of small unary writes.
 *
 * The lane takes only what it fully handles: HTTP/2 POSTs with a `application/grpc(+proto)` body
 * and no message compression. gRPC-web, Connect, JSON and compressed calls go to the Connect handler.
 */
export class GrpcUnaryLane implements StreamLane {
  readonly #specs: ReadonlyMap<string, UnarySpec>;
  readonly #interceptors: Interceptor[];
  readonly #readMaxBytes: number;

  constructor(options: GrpcUnaryLaneOptions) {
    const specs = new Map<string, UnarySpec>();
    for (const spec of options.specs) {
      if (spec.kind !== "unary") throw new Error(`${spec.method.name} is not a unary method`);
      specs.set(`/${spec.method.parent.typeName}/${spec.method.name}`, spec);
    }
    this.#specs = specs;
    this.#interceptors = [...options.interceptors];
    this.#readMaxBytes = options.readMaxBytes;
  }

  /**
   * Runs the interceptors and the implementation as Connect's handler does, except that the
   * request's signal, context values and the response's headers are only built when read.
   */
  async #invoke(spec: UnarySpec, context: GrpcLaneContext, input: Message): Promise<Message> {
    const output = spec.method.output;
    const terminal = async (request: UnaryRequest): Promise<UnaryResponse> => {
      const result = await spec.impl(request.message, context);
      return new LaneResponse(
        spec.method,
        isMessage(result, output) ? result : create(output, result),
        context,
      );
    };
    const call = this.#interceptors.reduceRight<(request: UnaryRequest) => Promise<UnaryResponse>>(
      (next, interceptor) => interceptor(next as never) as never,
      terminal,
    );
    return (await call(new LaneRequest(spec.method, input, context))).message;
  }

  /** Builds the spec of one unary method for `specs`. */
  static spec: typeof createMethodImplSpec = createMethodImplSpec;

  /** Whether the lane serves a stream with these request headers (otherwise the Connect handler does). */
  accepts(headers: IncomingHttpHeaders): boolean {
    const path = headers[":path"];
    if (headers[":method"] !== "POST" || path === undefined || !this.#specs.has(path)) return false;
    const contentType = headers["content-type"];
    if (contentType === undefined || !GRPC_PROTO_CONTENT_TYPE.test(contentType)) return false;
    const encoding = headers["grpc-encoding"];
    return encoding === undefined || encoding === "identity";
  }

  serve(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    responseHeaders: Readonly<Record<string, string>>,
  ): void {
    // Without a listener, a stream error (a reset while answering) would be thrown.
    stream.on("error", ignore);
    void this.#serve(stream, headers, responseHeaders);
  }

  async #serve(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    responseHeaders: Readonly<Record<string, string>>,
  ): Promise<void> {
    const path = headers[":path"]!;
    const spec = this.#specs.get(path)!;
    const timeout = parseTimeout(firstHeader(headers, "grpc-timeout") ?? null, Number.MAX_SAFE_INTEGER);
    const context = new GrpcLaneContext(spec.method, path, headers, timeout.timeoutMs);
    let answered = false;
    let invoked = false;
    stream.once("close", () => {
      if (!answered) context.abort(new ConnectError("the client went away", Code.Canceled));
    });
    try {
      if (timeout.error) throw timeout.error;
      const body = await readLaneBody(stream, this.#readMaxBytes);
      const served = currentRequest();
      if (served) served.bytes += body.length;
      const input = parseMessage(spec, unwrapEnvelope(body));
      invoked = true;
      const output = await untilAborted(this.#invoke(spec, context, input), context);
      context.finish();
      const reply = toBinary(spec.method.output, output);
      const envelope = Buffer.allocUnsafe(ENVELOPE_HEADER_BYTES + reply.length);
      envelope[0] = 0;
      envelope.writeUInt32BE(reply.length, 1);
      envelope.set(reply, ENVELOPE_HEADER_BYTES);
      if (stream.destroyed) return;
      answered = true;
      const trailers = trailerObject(context);
      stream.respond(responseHead(context, responseHeaders), { waitForTrailers: true });
      stream.once("wantTrailers", () => sendTrailers(stream, trailers));
      stream.end(envelope);
    } catch (error) {
      context.finish();
      // The interceptors mark the calls that fail in them; what failed before they ran (a bad
      // timeout header, an oversized or malformed body) is marked here, unless the client left.
      if (!invoked && context.abortReason === undefined) markFailed();
      if (stream.destroyed) return;
      // The stream broke while the answer was being sent (the session is going away).
      if (answered || stream.headersSent) return void stream.destroy();
      answered = true;
      answerError(stream, context, responseHeaders, error);
    }
  }
}

/**
 * Answers with a trailers-only response: the status travels in the headers of an empty body. When
 * the request body was not read to its end (an error before or while reading it), the stream is
 * then reset with NO_ERROR, as HTTP/2 (RFC 9113, 8.1) and gRPC servers do once they answered: the
 * client stops sending, reads the complete answer, and the stream does not stay half open.
 */
function answerError(
  stream: ServerHttp2Stream,
  context: GrpcLaneContext,
  responseHeaders: Readonly<Record<string, string>>,
  error: unknown,
): void {
  const failure = ConnectError.from(error);
  const head = new Headers(context.responseHeaderObject({ ...responseHeaders, ...RESPONSE_HEADER }));
  failure.metadata.forEach((value, key) => head.set(key, value));
  setTrailerStatus(head, failure);
  try {
    stream.respond({ ...Object.fromEntries(head), ":status": 200 }, { endStream: true });
  } catch {
    return void stream.destroy(); // the session is going away
  }
  // After the response is sent (a NO_ERROR reset waits for it), so the client sees the status.
  if (!stream.readableEnded) stream.close(http2Constants.NGHTTP2_NO_ERROR);
}

function markFailed(): void {
  const served = currentRequest();
  if (served) served.failed = true;
}

const ignore = (): undefined => undefined;

function sendTrailers(stream: ServerHttp2Stream, trailers: OutgoingHttpHeaders): void {
  try {
    stream.sendTrailers(trailers);
  } catch {
    stream.destroy(); // reset meanwhile
  }
}

/** The headers of a response: the status, what the implementation set, `responseHeaders`, the type. */
function responseHead(
  context: GrpcLaneContext,
  responseHeaders: Readonly<Record<string, string>>,
): OutgoingHttpHeaders {
  const head: OutgoingHttpHeaders = { ":status": 200 };
  context.responseHeaderIfSet()?.forEach((value, name) => (head[name] = value));
  for (const name in responseHeaders) head[name] = responseHeaders[name];
  head["content-type"] = RESPONSE_HEADER["content-type"];
  return head;
}

const RESPONSE_HEADER = { "content-type": "application/grpc+proto" } as const;
const OK_TRAILER = { "grpc-status": grpcStatusOk } as const;

function trailerObject(context: GrpcLaneContext): Record<string, string> {
  const trailer = context.responseTrailerIfSet();
  return trailer === undefined ? OK_TRAILER : { ...Object.fromEntries(trailer), ...OK_TRAILER };
}

/** Resolves with `work`, or rejects as soon as the call aborts (deadline or client gone). */
function untilAborted<T>(work: Promise<T>, context: GrpcLaneContext): Promise<T> {
  if (context.abortReason !== undefined) return Promise.reject(context.abortReason);
  return new Promise<T>((resolve, reject) => {
    context.onAbort(reject);
    work.then(resolve, reject);
  });
}

/** Decodes the request message; an undecodable one is `internal`, as Connect's handler answers. */
function parseMessage(spec: UnarySpec, bytes: Uint8Array): Message {
  try {
    return fromBinary(spec.method.input, bytes);
  } catch (error) {
    throw new ConnectError(
      `parse binary: ${error instanceof Error ? error.message : String(error)}`,
      Code.Internal,
    );
  }
}

/** The message of a body that must hold exactly one uncompressed gRPC envelope. */
function unwrapEnvelope(body: Buffer): Uint8Array {
  if (body.length < ENVELOPE_HEADER_BYTES) {
    throw new ConnectError("protocol error: missing message envelope", Code.InvalidArgument);
  }
  if (body[0] !== 0) {
    throw new ConnectError(
      "protocol error: compressed or unknown envelope flag without grpc-encoding",
      Code.Internal,
    );
  }
  const length = body.readUInt32BE(1);
  if (length !== body.length - ENVELOPE_HEADER_BYTES) {
    throw new ConnectError(
      "protocol error: a unary request must carry exactly one complete message",
      Code.InvalidArgument,
    );
  }
  return body.subarray(ENVELOPE_HEADER_BYTES);
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The request the interceptors see; its signal and context values come from the call's context. */
class LaneRequest {
  readonly stream = false;
  readonly requestMethod = "POST";
  readonly service;
  readonly url;
  constructor(
    readonly method: DescMethodUnary,
    readonly message: Message,
    readonly context: GrpcLaneContext,
  ) {
    this.service = method.parent;
    this.url = context.url;
  }
  get signal() {
    return this.context.signal;
  }
  get header() {
    return this.context.requestHeader;
  }
  get contextValues() {
    return this.context.values;
  }
}

/** The response the interceptors see; its headers and trailers are the call context's. */
class LaneResponse {
  readonly stream = false;
  readonly service;
  constructor(
    readonly method: DescMethodUnary,
    readonly message: Message,
    readonly context: GrpcLaneContext,
  ) {
    this.service = method.parent;
  }
  get header() {
    return this.context.responseHeader;
  }
  get trailer() {
    return this.context.responseTrailer;
  }
}
