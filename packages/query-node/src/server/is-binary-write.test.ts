import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isBinaryWrite } from "./is-binary-write.js";

describe("isBinaryWrite", () => {
  it("picks protobuf-encoded WriteData and StreamWrite requests of every protocol", () => {
    const stream = "/miniodb.v1.MinIODBService/StreamWrite";
    const unary = "/miniodb.v1.MinIODBService/WriteData";
    for (const type of [
      "application/grpc",
      "application/grpc+proto",
      "application/grpc-web",
      "application/grpc-web+proto",
      "application/proto",
      "application/connect+proto",
      "application/proto; charset=binary",
    ]) {
      assert.ok(isBinaryWrite(stream, type), type);
      assert.ok(isBinaryWrite(`${unary}?x=1`, type), type);
    }
  });

  it("leaves JSON, other methods and unknown content types to the public messages", () => {
    const stream = "/miniodb.v1.MinIODBService/StreamWrite";
    for (const type of [
      "application/json",
      "application/grpc+json",
      "application/connect+json",
      "text/plain",
    ])
      assert.ok(!isBinaryWrite(stream, type), type);
    assert.ok(!isBinaryWrite(stream, undefined));
    assert.ok(!isBinaryWrite("/miniodb.v1.MinIODBService/QueryData", "application/grpc"));
    assert.ok(!isBinaryWrite("/v1/data", "application/proto"));
  });
});
