import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { WorkerService } from "@miniodb/proto/cluster";
import { currentRequest, newRequestContext, runInRequest } from "../observability/request-context.js";
import { createRequestIdForwarder, createRequestIdReceiver } from "./request-id-interceptors.js";

describe("request ids across the internal API", () => {
  // The worker answers with the request id it serves the call under (as its log lines carry it).
  const transport = createRouterTransport(
    (router) => router.service(WorkerService, { getStats: () => ({ nodeId: currentRequest()?.id ?? "" }) }),
    {
      transport: { interceptors: [createRequestIdForwarder()] },
      router: { interceptors: [createRequestIdReceiver()] },
    },
  );
  const client = createClient(WorkerService, transport);

  it("serves a worker call under the id of the API request that made it", async () => {
    const stats = await runInRequest(newRequestContext("req-42", "write"), () => client.getStats({}));
    assert.equal(stats.nodeId, "req-42");
  });

  it("serves calls made outside any request (background work) under none", async () => {
    assert.equal((await client.getStats({})).nodeId, "");
  });

  it("ignores an id that is not sane", async () => {
    const stats = await client.getStats({}, { headers: { "x-request-id": "bad id\twith tab" } });
    assert.equal(stats.nodeId, "");
  });
});
