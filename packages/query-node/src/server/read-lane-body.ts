import type { ServerHttp2Stream } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";

/** Bytes before a gRPC message: its compression flag and its length. */
export const ENVELOPE_HEADER_BYTES = 5;

/**
 * The request body, read with plain stream events (an async iterator over the stream cost more
 * than the rest of reading it). A body over the limit stops the read with resource_exhausted.
 */
export function readLaneBody(stream: ServerHttp2Stream, readMaxBytes: number): Promise<Buffer> {
  const limit = readMaxBytes + ENVELOPE_HEADER_BYTES;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    // Listeners stay attached once settled: removing them costs more than ignoring what follows.
    let settled = false;
    stream.on("data", (chunk: Buffer) => {
      if (settled) return;
      bytes += chunk.length;
      if (bytes <= limit) return void chunks.push(chunk);
      settled = true;
      reject(
        new ConnectError(`message larger than configured max ${readMaxBytes} bytes`, Code.ResourceExhausted),
      );
    });
    stream.once("end", () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes));
    });
    stream.once("error", (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    stream.once("close", () => {
      if (settled) return;
      settled = true;
      reject(new ConnectError("the client went away", Code.Canceled));
    });
  });
}
