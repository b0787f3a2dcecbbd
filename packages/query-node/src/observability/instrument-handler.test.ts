import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { MinIODBService, WriteDataRequestSchema } from "@miniodb/proto";
import { ProtocolServer } from "../server/protocol-server.js";
import { rawGrpcCall, until } from "../test-support/raw-grpc-call.js";
import { createRequestOutcomeInterceptor, instrumentHandler } from "./instrument-handler.js";

const PATH = `/${MinIODBService.typeName}/${MinIODBService.method.writeData.name}`;

describe("instrumentHandler with the Connect handler serving gRPC", () => {
  let server: ProtocolServer;
  let baseUrl: string;
  const finished: Array<{ method: string; ok: boolean }> = [];

  before(async () => {
    const handler = connectNodeAdapter({
      interceptors: [createRequestOutcomeInterceptor()],
      routes: (router) =>
        router.rpc(MinIODBService.method.writeData, async (request) => {
          if (request.table === "closed") throw new ConnectError("table is closed", Code.FailedPrecondition);
          return { success: true, message: "ok", nodeId: "n1" };
        }),
    });
    const served = instrumentHandler({ handler }, (context, ok) =>
      finished.push({ method: context.method, ok }),
    );
    server = await ProtocolServer.listen({ host: "127.0.0.1", port: 0, ...served });
    baseUrl = `http://127.0.0.1:${server.address.port}`;
  });
  after(() => server.close(0));
  beforeEach(() => {
    finished.length = 0;
  });

  it("counts a call that succeeded as ok and one its implementation failed as failed", async () => {
    const client = createClient(MinIODBService, createGrpcTransport({ baseUrl }));
    await client.writeData({ table: "open" });
    await assert.rejects(client.writeData({ table: "closed" }), { code: Code.FailedPrecondition });
    await until(() => finished.length === 2);
    assert.deepEqual(
      finished.map((request) => [request.method, request.ok]),
      [
        ["write", true],
        ["write", false],
      ],
    );
  });

  it("counts calls refused before the interceptors ran as failed, from their grpc-status", async () => {
    const message = toBinary(WriteDataRequestSchema, create(WriteDataRequestSchema, { table: "open" }));
    const enveloped = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);
    const compressed = Buffer.concat([Buffer.from([1, 0, 0, 0, message.length]), message]);
    const cases: Array<[string, Buffer, Record<string, string>]> = [
      ["no envelope", Buffer.from([0, 0]), {}],
      ["a message compressed in an unknown encoding", compressed, { "grpc-encoding": "br" }],
      ["a malformed grpc-timeout", enveloped, { "grpc-timeout": "soon" }],
    ];
    for (const [name, body, headers] of cases) {
      finished.length = 0;
      const { grpcStatus: status } = await rawGrpcCall(baseUrl, PATH, body, headers);
      assert.notEqual(status, "0", `${name} is refused`);
      assert.notEqual(status, undefined, `${name} has a grpc-status`);
      await until(() => finished.length === 1);
      assert.deepEqual(
        finished.map((request) => [request.method, request.ok]),
        [["write", false]],
        `${name} (grpc-status ${status}) is counted as a failed write`,
      );
    }
  });
});
