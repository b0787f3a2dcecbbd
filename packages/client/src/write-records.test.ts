import assert from "node:assert/strict";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { MinIODBService, StreamWriteResponseSchema } from "@miniodb/proto";
import { createMiniodbClient } from "./create-miniodb-client.js";
import type { RecordInput } from "./record-input.js";

/** A StreamWrite server that reads nothing until `release()` is called, then counts every record. */
function stallingServer() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const handler = connectNodeAdapter({
    routes: (router) =>
      router.service(MinIODBService, {
        async streamWrite(requests) {
          await released;
          let records = 0n;
          for await (const request of requests) records += BigInt(request.records.length);
          return create(StreamWriteResponseSchema, { success: true, recordsCount: records });
        },
      }),
  });
  return { server: http2.createServer(handler), release };
}

/** Resolves once `read()` has not changed for `quietMs`. */
async function settled(read: () => number, quietMs = 300): Promise<number> {
  let last = -1;
  for (;;) {
    const value = read();
    if (value === last) return value;
    last = value;
    await delay(quietMs);
  }
}

describe("writeRecords backpressure", () => {
  const stalling = stallingServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  let baseUrl = "";
  before(async () => {
    stalling.server.on("session", (session) => sessions.add(session));
    await new Promise<void>((resolve) => stalling.server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(stalling.server.address() as AddressInfo).port}`;
  });
  after(() => {
    for (const session of sessions) session.destroy();
    stalling.server.close();
  });

  it("pulls from the source only as fast as the server reads", async () => {
    const total = 5_000;
    let pulled = 0;
    function* source(): Generator<RecordInput> {
      for (; pulled < total;) {
        pulled++;
        yield { id: `r-${pulled}`, payload: { text: "x".repeat(1_000), n: pulled } };
      }
    }
    const client = createMiniodbClient({ baseUrl });
    const writing = client.writeRecords("t", source(), { batchSize: 100 });
    const pulledWhileStalled = await settled(() => pulled);
    assert.ok(pulledWhileStalled > 0, "the stream started");
    assert.ok(
      pulledWhileStalled < total / 4,
      `pulled ${pulledWhileStalled} of ${total} while the server read nothing`,
    );
    stalling.release();
    assert.equal((await writing).recordsCount, total);
    assert.equal(pulled, total);
  });
});
