/**
 * Entry of the thread `PayloadDecodeThread` starts: decodes each `PayloadBatch` it is sent and
 * answers with its `DecodedPayloads`, in the order the batches came.
 */
import { parentPort } from "node:worker_threads";
import { decodePayloadBatch, type PayloadBatch } from "./payload-decode-batch.js";
import { StructPayloadReader } from "./struct-payload-reader.js";

const port = parentPort;
if (port === null) throw new Error("payload-decode-thread runs as a worker thread");
const reader = new StructPayloadReader();
port.on("message", (batch: PayloadBatch) => port.postMessage(decodePayloadBatch(reader, batch)));
