import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isBinaryRequest } from "./is-binary-request.js";

describe("isBinaryRequest", () => {
  const paths = new Set(["/miniodb.v1.MinIODBService/StreamQuery", "/miniodb.v1.MinIODBService/StreamWrite"]);
  const path = "/miniodb.v1.MinIODBService/StreamQuery";
  it("accepts the binary content types of gRPC, gRPC-web and Connect", () => {
    for (const type of [
      "application/grpc",
      "application/grpc+proto",
      "application/grpc-web",
      "application/grpc-web+proto",
      "application/connect+proto",
      "application/proto; charset=utf-8",
    ])
      assert.equal(isBinaryRequest(paths, path, type), true, type);
  });
  it("refuses JSON, other paths and missing headers", () => {
    assert.equal(isBinaryRequest(paths, path, "application/connect+json"), false);
    assert.equal(isBinaryRequest(paths, path, "application/grpc+json"), false);
    assert.equal(isBinaryRequest(paths, path, "application/json"), false);
    assert.equal(isBinaryRequest(paths, path, "text/plain"), false);
    assert.equal(isBinaryRequest(paths, "/v1/data", "application/proto"), false);
    assert.equal(isBinaryRequest(paths, "/miniodb.v1.MinIODBService/QueryData", "application/grpc"), false);
    assert.equal(isBinaryRequest(paths, `${path}?x=1`, "application/grpc"), true);
    assert.equal(isBinaryRequest(paths, undefined, "application/grpc"), false);
    assert.equal(isBinaryRequest(paths, path, undefined), false);
  });
});
