import assert from "node:assert/strict";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { StreamWriteResponseSchema } from "@miniodb/proto";
import { GrpcCallError, RawGrpcConnection, grpcFrame } from "./raw-grpc.js";

/**
 * A gRPC server in miniature: `/test.Echo/Count` answers with a StreamWriteResponse whose
 * records_count is the number of request messages and whose errors list their sizes;
 * `/test.Echo/Fail` answers trailers-only with INVALID_ARGUMENT.
 */
function startServer(): Promise<http2.Http2Server> {
  const server = http2.createServer((request, response) => {
    if (request.url === "/test.Echo/Fail") {
      response.writeHead(200, {
        "content-type": "application/grpc",
        "grpc-status": "3",
        "grpc-message": "bad%20table",
      });
      response.end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const sizes: string[] = [];
      for (let at = 0; at < body.length; at += 5 + body.readUInt32BE(at + 1))
        sizes.push(String(body.readUInt32BE(at + 1)));
      const message = create(StreamWriteResponseSchema, {
        recordsCount: BigInt(sizes.length),
        errors: sizes,
      });
      response.writeHead(200, { "content-type": "application/grpc" });
      response.addTrailers({ "grpc-status": "0" });
      response.end(grpcFrame(toBinary(StreamWriteResponseSchema, message)));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("RawGrpcConnection", () => {
  let server: http2.Http2Server;
  let connection: RawGrpcConnection;
  before(async () => {
    server = await startServer();
    connection = await RawGrpcConnection.connect(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
  });
  after(async () => {
    await connection.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it("frames each message with a zero flag and its big-endian length", () => {
    assert.deepEqual([...grpcFrame(Uint8Array.of(7, 8, 9))], [0, 0, 0, 0, 3, 7, 8, 9]);
  });

  it("sends one message per unary call and decodes the response", async () => {
    const calls = await Promise.all(
      [1, 2, 3].map((size) => connection.unary("/test.Echo/Count", grpcFrame(new Uint8Array(size)))),
    );
    const responses = calls.map((bytes) => fromBinary(StreamWriteResponseSchema, bytes));
    assert.deepEqual(
      responses.map((response) => response.errors),
      [["1"], ["2"], ["3"]],
    );
  });

  it("streams more messages than one flow-control window holds", async () => {
    const frame = grpcFrame(new Uint8Array(100_000));
    async function* frames() {
      for (let i = 0; i < 20; i++) yield frame;
    }
    const response = fromBinary(
      StreamWriteResponseSchema,
      await connection.clientStream("/test.Echo/Count", frames()),
    );
    assert.equal(response.recordsCount, 20n);
    assert.ok(response.errors.every((size) => size === "100000"));
  });

  it("rejects with the grpc-status and message of a failed call", async () => {
    await assert.rejects(
      connection.unary("/test.Echo/Fail", grpcFrame(new Uint8Array(1))),
      (error: unknown) => {
        assert.ok(error instanceof GrpcCallError);
        assert.equal(error.status, 3);
        assert.match(error.message, /bad table/);
        return true;
      },
    );
  });
});
