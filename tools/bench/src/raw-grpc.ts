import http2 from "node:http2";

/**
 * A minimal gRPC client over `node:http2` for load generation: it sends messages that were
 * encoded and framed once up front, so the load generator spends no CPU on protobuf encoding.
 *
 * Wire format (gRPC over HTTP/2): a POST to `/<package.Service>/<Method>` with
 * `content-type: application/grpc` and `te: trailers`; every message in either direction is one
 * byte compressed-flag (0), a 4-byte big-endian length, then the protobuf bytes. The call's
 * outcome is the `grpc-status` trailer (or header, for a trailers-only response).
 */

/** Prefixes one encoded protobuf message with the 5-byte gRPC message header. */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.byteLength);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return frame;
}

/** A call that ended with a non-zero `grpc-status` (or broke the framing). */
export class GrpcCallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`grpc-status ${status}: ${message}`);
    this.name = "GrpcCallError";
  }
}

/** One HTTP/2 connection to a gRPC server; calls are multiplexed as streams on it. */
export class RawGrpcConnection {
  readonly #session: http2.ClientHttp2Session;

  private constructor(session: http2.ClientHttp2Session) {
    this.#session = session;
  }

  /** Connects to `http://host:port` (cleartext HTTP/2 with prior knowledge). */
  static async connect(baseUrl: string): Promise<RawGrpcConnection> {
    const session = http2.connect(baseUrl);
    await new Promise<void>((resolve, reject) => {
      session.once("connect", () => {
        session.off("error", reject);
        resolve();
      });
      session.once("error", reject);
    });
    session.on("error", () => undefined); // failures surface on the streams
    return new RawGrpcConnection(session);
  }

  /**
   * Sends one framed request message; resolves with the response message's bytes. The frame goes
   * out with the end of the stream, without the iteration and flow-control waits of clientStream
   * (the load generator shares the cores with the node).
   */
  unary(path: string, frame: Buffer): Promise<Uint8Array> {
    const stream = this.#request(path);
    const response = readResponse(stream);
    stream.end(frame);
    return response;
  }

  /**
   * Sends the framed messages on one stream, honouring HTTP/2 flow control, then half-closes it;
   * resolves with the single response message's bytes.
   */
  async clientStream(path: string, frames: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<Uint8Array> {
    const stream = this.#request(path);
    const response = readResponse(stream);
    response.catch(() => undefined); // awaited below; a send failure may come first
    for await (const frame of frames) {
      if (stream.destroyed || stream.writableEnded) break; // the server already answered
      if (!stream.write(frame)) await waitForDrain(stream);
    }
    if (!stream.writableEnded) stream.end();
    return response;
  }

  #request(path: string): http2.ClientHttp2Stream {
    return this.#session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#session.close(() => resolve()));
  }
}

function waitForDrain(stream: http2.ClientHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

/** Collects the response body and status of one call and decodes its single message. */
function readResponse(stream: http2.ClientHttp2Stream): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let statusMessage = "";
    const takeStatus = (headers: http2.IncomingHttpHeaders) => {
      const value = headers["grpc-status"];
      if (value === undefined) return;
      status = String(value);
      statusMessage = decodeURIComponent(String(headers["grpc-message"] ?? ""));
    };
    stream.on("response", takeStatus);
    stream.on("trailers", takeStatus);
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", reject);
    stream.on("close", () => {
      if (status === undefined) return reject(new GrpcCallError(-1, "stream closed without grpc-status"));
      if (status !== "0") return reject(new GrpcCallError(Number(status), statusMessage));
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (body.length < 5 || body.readUInt8(0) !== 0 || body.readUInt32BE(1) !== body.length - 5)
        return reject(new GrpcCallError(-1, `expected one uncompressed message, got ${body.length} bytes`));
      resolve(body.subarray(5));
    });
  });
}
