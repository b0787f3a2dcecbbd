/**
 * Entry of the thread `DecodeThread` starts: reads each request it is sent and answers it, in
 * the order the requests came.
 */
import { parentPort } from "node:worker_threads";
import { PayloadSerializer } from "@miniodb/core";
import { StructPayloadReader } from "../rpc/struct-payload-reader.js";
import type { DecodeReply, DecodeRequest } from "./decode-thread-protocol.js";
import { decodeRestBatch } from "./rest-batch.js";
import { decodeStructBatch } from "./struct-batch.js";

const port = parentPort;
if (port === null) throw new Error("decode-thread runs as a worker thread");
const reader = new StructPayloadReader();
const serializer = new PayloadSerializer();
port.on("message", (request: DecodeRequest) => {
  if (request.kind === "structs") {
    const decoded = decodeStructBatch(reader, request.batch);
    port.postMessage({ id: request.id, decoded } satisfies DecodeReply, owned([decoded.utf8]));
    return;
  }
  const decoded = decodeRestBatch(serializer, request.body);
  const bytes = [decoded.payloads.utf8, ...(decoded.rowLines ? [decoded.rowLines.bytes] : [])];
  port.postMessage({ id: request.id, decoded } satisfies DecodeReply, owned(bytes));
});

/**
 * The memory of each array that has a buffer of its own (the decoders copy their output out at its
 * exact size), to move to the main thread rather than copy; arrays that share one are copied.
 */
function owned(arrays: readonly Uint8Array[]): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const array of arrays) {
    const { buffer } = array;
    if (buffer instanceof ArrayBuffer && array.byteOffset === 0 && array.byteLength === buffer.byteLength)
      buffers.push(buffer);
  }
  return buffers;
}
