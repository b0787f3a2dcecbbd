import assert from "node:assert/strict";
import http2 from "node:http2";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { HealthCheckResponseSchema, MinIODBService } from "@miniodb/proto";
import { createMiniodbClient, type MiniodbProtocol } from "./create-miniodb-client.js";

/** A real Connect server over real sockets whose HealthCheck echoes what the client sent. */
function echoHandler() {
  return connectNodeAdapter({
    routes: (router) =>
      router.service(MinIODBService, {
        healthCheck: (_request, context) =>
          create(HealthCheckResponseSchema, {
            status: "healthy",
            details: {
              authorization: context.requestHeader.get("authorization") ?? "",
              content_type: context.requestHeader.get("content-type") ?? "",
            },
          }),
      }),
  });
}

describe("createMiniodbClient", () => {
  let h2: http2.Http2Server;
  let h1: http.Server;
  const urls = { h2: "", h1: "" };
  before(async () => {
    h2 = http2.createServer(echoHandler());
    h2.on("session", (session) => sessions.add(session));
    h1 = http.createServer(echoHandler());
    await Promise.all([
      new Promise<void>((r) => h2.listen(0, "127.0.0.1", r)),
      new Promise<void>((r) => h1.listen(0, "127.0.0.1", r)),
    ]);
    urls.h2 = `http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
    urls.h1 = `http://127.0.0.1:${(h1.address() as AddressInfo).port}`;
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  after(() => {
    h1.closeAllConnections();
    h1.close();
    for (const session of sessions) session.destroy();
    h2.close();
  });

  it("speaks each protocol, with the content type that protocol uses", async () => {
    const cases: Array<[MiniodbProtocol, string, RegExp]> = [
      ["grpc", urls.h2, /^application\/grpc(\+proto)?$/],
      ["connect", urls.h1, /^application\/proto$/],
      ["grpc-web", urls.h1, /^application\/grpc-web(\+proto)?$/],
    ];
    for (const [protocol, baseUrl, contentType] of cases) {
      const client = createMiniodbClient({ baseUrl, protocol });
      const response = await client.db.healthCheck({});
      assert.equal(response.status, "healthy", protocol);
      assert.match(response.details["content_type"]!, contentType, protocol);
      assert.equal(response.details["authorization"], "", protocol);
    }
  });

  it("sends a bearer token, fixed or fetched per call", async () => {
    let calls = 0;
    const fixed = createMiniodbClient({ baseUrl: urls.h2, token: "abc" });
    assert.equal((await fixed.db.healthCheck({})).details["authorization"], "Bearer abc");
    const rotating = createMiniodbClient({
      baseUrl: urls.h1,
      protocol: "connect",
      token: async () => `t${++calls}`,
    });
    assert.equal((await rotating.db.healthCheck({})).details["authorization"], "Bearer t1");
    assert.equal((await rotating.db.healthCheck({})).details["authorization"], "Bearer t2");
  });

  it("surfaces server errors as ConnectErrors with their code", async () => {
    const client = createMiniodbClient({ baseUrl: urls.h2 });
    await assert.rejects(
      client.db.getStatus({}),
      (error: unknown) => ConnectError.from(error).code === Code.Unimplemented,
    );
  });

  it("rejects an unknown protocol", () => {
    assert.throws(
      () => createMiniodbClient({ baseUrl: urls.h1, protocol: "soap" as MiniodbProtocol }),
      /unknown protocol/,
    );
  });
});
