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
  const decoded =
    request.kind === "structs"
      ? decodeStructBatch(reader, request.batch)
      : decodeRestBatch(serializer, request.body);
  port.postMessage({ id: request.id, decoded } satisfies DecodeReply);
});
