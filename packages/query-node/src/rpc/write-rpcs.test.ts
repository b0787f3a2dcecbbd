import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import { DataRecordSchema } from "@miniodb/proto";
import type { RecordInput, WriteResult } from "@miniodb/worker-node";
import type { IngestDecoder } from "../decode/decode-thread-client.js";
import type { WriteService } from "../services/write-service.js";
import { createWriteViewRpcs } from "./write-rpcs.js";

/** A write of one stream message that the test completes by hand. */
interface Call {
  readonly ids: string[];
  readonly complete: () => void;
}

/** Records the writeMany calls and leaves each pending until the test completes it. */
function pendingWrites() {
  const calls: Call[] = [];
  const writes = {
    writeMany(_table: string, records: RecordInput[]): Promise<WriteResult> {
      return new Promise((resolve) => {
        const ids = records.map((record) => record.id!);
        calls.push({ ids, complete: () => resolve({ written: ids.length, errors: [], ids }) });
      });
    },
  } as unknown as WriteService;
  return { calls, writes };
}

/** A decoder that settles each message's payloads only when the test says so, in any order. */
function heldDecoder() {
  const held: Array<() => void> = [];
  const decoder = {
    decodeStructs: () => new Promise<void>((resolve) => held.push(resolve)),
  } as unknown as IngestDecoder;
  return { held, decoder };
}

const message = (index: number) => ({
  table: "t",
  records: [0, 1].map((row) =>
    toBinary(DataRecordSchema, create(DataRecordSchema, { id: `m${index}-${row}`, payload: { row } })),
  ),
});

const context = { requestHeader: new Headers() } as unknown as HandlerContext;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("StreamWrite with a decoder", () => {
  it("writes several messages at once, each started in message order once its payloads are read", async () => {
    const { calls, writes } = pendingWrites();
    const { held, decoder } = heldDecoder();
    const rpcs = createWriteViewRpcs(writes, "n1", decoder);
    async function* messages() {
      for (let index = 0; index < 4; index++) yield message(index);
    }
    const response = rpcs.streamWrite(messages(), context);
    while (held.length < 4) await tick();
    // The last two messages are read first: their writes wait for the earlier messages' to start.
    held[3]!();
    held[2]!();
    await tick();
    assert.equal(calls.length, 0);
    held[0]!();
    held[1]!();
    await tick();
    assert.deepEqual(
      calls.map((call) => call.ids[0]),
      ["m0-0", "m1-0", "m2-0", "m3-0"],
      "all four writes run at once, started in message order",
    );
    for (const call of calls) call.complete();
    assert.equal((await response).recordsCount, 8n);
  });
});
