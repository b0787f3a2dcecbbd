import assert from "node:assert/strict";
import { once } from "node:events";
import http2 from "node:http2";
import { after, before, beforeEach, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { MinIODBService, WriteDataRequestSchema, type WriteDataRequest } from "@miniodb/proto";
import { createRequestOutcomeInterceptor, instrumentHandler } from "../observability/instrument-handler.js";
import { GrpcUnaryLane } from "./grpc-unary-lane.js";
import { ProtocolServer } from "./protocol-server.js";
import { rawGrpcCall, until } from "../test-support/raw-grpc-call.js";

const PATH = `/${MinIODBService.typeName}/${MinIODBService.method.writeData.name}`;

describe("GrpcUnaryLane", () => {
  let server: ProtocolServer;
  let baseUrl: string;
  let calls: Array<{ table: string; idempotencyKey: string | null }>;
  let behaviour: "ok" | "fail" | "slow";
  const fallbackCalls: string[] = [];
  const interceptorCalls: string[] = [];
  const finished: Array<{ method: string; ok: boolean; bytes: number }> = [];

  before(async () => {
    const tagging: Interceptor = (next) => async (request) => {
      interceptorCalls.push(`${request.method.name} ${request.header.get("x-caller") ?? "-"}`);
      if (request.header.get("x-caller") === "intruder") {
        throw new ConnectError("not for you", Code.PermissionDenied);
      }
      return next(request);
    };
    const lane = new GrpcUnaryLane({
      specs: [
        GrpcUnaryLane.spec(MinIODBService.method.writeData, async (request: WriteDataRequest, context) => {
          calls.push({ table: request.table, idempotencyKey: context.requestHeader.get("idempotency-key") });
          if (behaviour === "fail") throw new ConnectError("table is closed", Code.FailedPrecondition);
          if (behaviour === "slow") await new Promise((resolve) => setTimeout(resolve, 2_000));
          context.responseHeader.set("x-served-by", "lane");
          return { success: true, message: `wrote to ${request.table}`, nodeId: "n1" };
        }),
      ],
      interceptors: [createRequestOutcomeInterceptor(), tagging],
      readMaxBytes: 1024,
    });
    const served = instrumentHandler(
      {
        handler: (request, response) => {
          fallbackCalls.push(`${request.headers["content-type"]} ${request.headers["grpc-encoding"] ?? ""}`);
          response.writeHead(404);
          response.end();
        },
        streams: lane,
      },
      (context, ok) => finished.push({ method: context.method, ok, bytes: context.bytes }),
    );
    server = await ProtocolServer.listen({ host: "127.0.0.1", port: 0, ...served });
    baseUrl = `http://127.0.0.1:${server.address.port}`;
  });
  after(() => server.close(0));
  beforeEach(() => {
    calls = [];
    behaviour = "ok";
    fallbackCalls.length = 0;
    interceptorCalls.length = 0;
    finished.length = 0;
  });

  const client = () => createClient(MinIODBService, createGrpcTransport({ baseUrl }));

  it("answers a gRPC client with the implementation's message and headers", async () => {
    let header: Headers | undefined;
    const response = await client().writeData(
      { table: "users" },
      { headers: { "idempotency-key": "k-1", "x-caller": "svc" }, onHeader: (h) => (header = h) },
    );
    assert.equal(response.success, true);
    assert.equal(response.message, "wrote to users");
    assert.equal(response.nodeId, "n1");
    assert.deepEqual(calls, [{ table: "users", idempotencyKey: "k-1" }]);
    assert.deepEqual(interceptorCalls, ["WriteData svc"]);
    assert.equal(header?.get("x-served-by"), "lane");
    assert.match(header?.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(header?.get("content-type"), "application/grpc+proto");
    assert.deepEqual(fallbackCalls, []);
    const message = toBinary(WriteDataRequestSchema, create(WriteDataRequestSchema, { table: "users" }));
    await until(() => finished.length === 1);
    assert.deepEqual(finished, [{ method: "write", ok: true, bytes: message.length + 5 }]);
  });

  it("echoes a sane request id and counts a failed call as failed", async () => {
    behaviour = "fail";
    await assert.rejects(
      client().writeData({ table: "users" }, { headers: { "x-request-id": "req-42" } }),
      (error: unknown) => error instanceof ConnectError && error.metadata.get("x-request-id") === "req-42",
    );
    await until(() => finished.length === 1);
    assert.equal(finished[0]?.ok, false);
  });

  it("survives clients that reset their call before or after the answer", async () => {
    behaviour = "slow";
    const session = http2.connect(baseUrl);
    try {
      for (const when of ["before the body", "while the call runs"]) {
        const stream = session.request({
          ":method": "POST",
          ":path": PATH,
          "content-type": "application/grpc",
        });
        stream.on("error", () => undefined);
        if (when === "while the call runs") {
          const message = toBinary(WriteDataRequestSchema, create(WriteDataRequestSchema, { table: "gone" }));
          const head = Buffer.alloc(5);
          head.writeUInt32BE(message.length, 1);
          stream.end(Buffer.concat([head, message]));
          await until(() => calls.some((call) => call.table === "gone"));
        }
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }
      await until(() => finished.length === 2);
      assert.ok(
        finished.every((request) => request.ok),
        "a call the client cancelled is not a failure",
      );
      behaviour = "ok";
      const response = await client().writeData({ table: "after" });
      assert.equal(response.message, "wrote to after");
    } finally {
      session.close();
    }
  });

  it("turns errors into gRPC statuses, also those of the interceptors", async () => {
    behaviour = "fail";
    await assert.rejects(client().writeData({ table: "users" }), (error: unknown) => {
      assert.ok(error instanceof ConnectError);
      assert.equal(error.code, Code.FailedPrecondition);
      assert.equal(error.rawMessage, "table is closed");
      return true;
    });
    await assert.rejects(
      client().writeData({ table: "users" }, { headers: { "x-caller": "intruder" } }),
      (error: unknown) => error instanceof ConnectError && error.code === Code.PermissionDenied,
    );
    assert.equal(calls.length, 1, "the interceptor stopped the second call");
  });

  it("honours the client's deadline", async () => {
    behaviour = "slow";
    await assert.rejects(
      client().writeData({ table: "users" }, { timeoutMs: 200 }),
      (error: unknown) => error instanceof ConnectError && error.code === Code.DeadlineExceeded,
    );
  });

  it("refuses malformed and oversized bodies with the right status", async () => {
    // A table of its own: a slow call of the deadline case may still reach the implementation now.
    const message = toBinary(WriteDataRequestSchema, create(WriteDataRequestSchema, { table: "malformed" }));
    const envelope = (flag: number, length: number, body: Uint8Array) => {
      const head = Buffer.alloc(5);
      head[0] = flag;
      head.writeUInt32BE(length, 1);
      return Buffer.concat([head, body]);
    };
    const cases: Array<[string, Buffer, Code]> = [
      ["no envelope", Buffer.from([0, 0]), Code.InvalidArgument],
      ["a length beyond the body", envelope(0, message.length + 3, message), Code.InvalidArgument],
      [
        "two messages",
        Buffer.concat([envelope(0, message.length, message), envelope(0, message.length, message)]),
        Code.InvalidArgument,
      ],
      ["a compressed flag without grpc-encoding", envelope(1, message.length, message), Code.Internal],
      ["not protobuf", envelope(0, 3, Buffer.from([0xff, 0xff, 0xff])), Code.Internal],
      ["over readMaxBytes", envelope(0, 2000, Buffer.alloc(2000)), Code.ResourceExhausted],
    ];
    for (const [name, body, code] of cases) {
      const status = await rawGrpcCall(baseUrl, PATH, body);
      assert.equal(status.grpcStatus, String(code), `${name}: ${status.grpcMessage}`);
    }
    assert.deepEqual(
      calls.filter((call) => call.table === "malformed"),
      [],
      "no implementation call for a malformed body",
    );
  });

  it("counts calls refused before the interceptors ran as failed requests", async () => {
    const message = toBinary(WriteDataRequestSchema, create(WriteDataRequestSchema, { table: "refused" }));
    const head = Buffer.alloc(5);
    head.writeUInt32BE(message.length, 1);
    const cases: Array<[string, Buffer, Record<string, string>, Code]> = [
      ["no envelope", Buffer.from([0, 0]), {}, Code.InvalidArgument],
      ["not protobuf", Buffer.from([0, 0, 0, 0, 1, 0xff]), {}, Code.Internal],
      ["over readMaxBytes", Buffer.alloc(2000), {}, Code.ResourceExhausted],
      [
        "a malformed grpc-timeout",
        Buffer.concat([head, message]),
        { "grpc-timeout": "soon" },
        Code.InvalidArgument,
      ],
    ];
    for (const [name, body, headers, code] of cases) {
      finished.length = 0;
      const status = await rawGrpcCall(baseUrl, PATH, body, headers);
      assert.equal(status.grpcStatus, String(code), name);
      await until(() => finished.length === 1);
      assert.deepEqual(
        finished.map((request) => [request.method, request.ok]),
        [["write", false]],
        `${name} is counted as a failed write`,
      );
    }
    assert.deepEqual(interceptorCalls, [], "the interceptors never ran");
  });

  it("ends the stream after answering a call whose body it did not read to the end", async () => {
    const session = http2.connect(baseUrl);
    try {
      const cases: Array<[string, Record<string, string>, Buffer, Code]> = [
        ["an oversized body", {}, Buffer.alloc(2000), Code.ResourceExhausted],
        ["a malformed grpc-timeout", { "grpc-timeout": "soon" }, Buffer.alloc(0), Code.InvalidArgument],
      ];
      for (const [name, headers, sent, code] of cases) {
        finished.length = 0;
        const stream = session.request({
          ":method": "POST",
          ":path": PATH,
          "content-type": "application/grpc",
          te: "trailers",
          ...headers,
        });
        stream.on("error", () => undefined);
        // The client goes on sending: it never ends its side of the stream.
        if (sent.length > 0) stream.write(sent);
        const [response] = (await once(stream, "response")) as [http2.IncomingHttpHeaders];
        assert.equal(response["grpc-status"], String(code), name);
        const closed = await Promise.race([
          once(stream, "close").then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000).unref()),
        ]);
        assert.ok(closed, `${name}: the server ends the stream although the client did not`);
        assert.equal(stream.rstCode, http2.constants.NGHTTP2_NO_ERROR, `${name}: reset without error`);
        await until(() => finished.length === 1);
      }
      assert.equal(session.closed, false, "the session stays usable");
    } finally {
      session.close();
    }
  });

  it("leaves compressed, gRPC-web and JSON calls to the fallback handler", async () => {
    const body = Buffer.alloc(5);
    await rawGrpcCall(baseUrl, PATH, body, { "grpc-encoding": "gzip" });
    await rawGrpcCall(baseUrl, PATH, body, { "content-type": "application/grpc-web+proto" });
    await rawGrpcCall(baseUrl, PATH, body, { "content-type": "application/grpc+json" });
    assert.deepEqual(fallbackCalls, [
      "application/grpc gzip",
      "application/grpc-web+proto ",
      "application/grpc+json ",
    ]);
  });
});

/** One raw HTTP/2 gRPC call; the status comes from the trailers or a trailers-only response. */
