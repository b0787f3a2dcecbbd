import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { AuthService, MinIODBService } from "@miniodb/proto";
import { runCli, spawnNode, type SpawnedNode } from "./support/spawn-node.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

describe("a node started with `miniodb serve`", () => {
  let node: SpawnedNode;
  before(async () => {
    node = await spawnNode(["--node-id", "e2e-node"]);
  });
  after(async () => {
    await node?.stop();
  });

  const transports = () => ({
    "gRPC (HTTP/2)": createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` }),
    "gRPC-web (HTTP/1.1)": createGrpcWebTransport({
      baseUrl: `http://127.0.0.1:${node.ports.rest}`,
      httpVersion: "1.1",
    }),
    "Connect (HTTP/1.1)": createConnectTransport({
      baseUrl: `http://127.0.0.1:${node.ports.rest}`,
      httpVersion: "1.1",
    }),
    "Connect (HTTP/2)": createConnectTransport({
      baseUrl: `http://127.0.0.1:${node.ports.grpc}`,
      httpVersion: "2",
    }),
  });

  it("answers HealthCheck over every protocol on both ports", async () => {
    for (const [name, transport] of Object.entries(transports())) {
      const response = await createClient(MinIODBService, transport).healthCheck({});
      assert.equal(response.status, "healthy", name);
      assert.equal(response.version, "0.1.0", name);
      assert.equal(response.details["node_id"], "e2e-node", name);
      const age = Date.now() - Number(response.timestamp!.seconds) * 1000;
      assert.ok(age >= -2000 && age < 10_000, `${name}: timestamp ${age} ms old`);
    }
  });

  it("serves GET /v1/health as snake_case JSON on both ports", async () => {
    for (const port of [node.ports.rest, node.ports.grpc]) {
      const response = await fetch(`http://127.0.0.1:${port}/v1/health`);
      assert.equal(response.status, 200);
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body["status"], "healthy");
      assert.equal(body["version"], "0.1.0");
      assert.ok(!Number.isNaN(Date.parse(String(body["timestamp"]))));
      assert.match(String(body["timestamp"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    }
  });

  it("answers Connect JSON POST and GET from plain HTTP clients", async () => {
    const base = `http://127.0.0.1:${node.ports.grpc}/miniodb.v1.MinIODBService/HealthCheck`;
    const post = await fetch(base, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(post.status, 200);
    assert.equal(((await post.json()) as { status: string }).status, "healthy");
    const get = await fetch(`${base}?connect=v1&encoding=json&message=%7B%7D`);
    assert.equal(((await get.json()) as { status: string }).status, "healthy");
  });

  it("answers `buf curl` over gRPC with HTTP/2 prior knowledge", async () => {
    const { stdout } = await promisify(execFile)(
      "npx",
      [
        "buf",
        "curl",
        "--schema",
        "proto",
        "--protocol",
        "grpc",
        "--http2-prior-knowledge",
        `http://127.0.0.1:${node.ports.grpc}/miniodb.v1.MinIODBService/HealthCheck`,
      ],
      { cwd: repoRoot },
    );
    assert.equal((JSON.parse(stdout) as { status: string }).status, "healthy");
  });

  it("reports RPCs that do not exist yet as unimplemented, not as success", async () => {
    const grpc = transports()["gRPC (HTTP/2)"];
    await assert.rejects(
      createClient(AuthService, grpc).getToken({ apiKey: "k", secret: "s" }),
      (error: unknown) => ConnectError.from(error).code === Code.Unimplemented,
    );
  });

  it("answers unknown REST routes with a JSON 404", async () => {
    const response = await fetch(`http://127.0.0.1:${node.ports.rest}/v1/nothing-here`);
    assert.equal(response.status, 404);
    assert.deepEqual(((await response.json()) as { error: { code: string } }).error.code, "not_found");
  });
});

describe("shutdown and startup errors", () => {
  it("exits 0 on SIGINT and frees its ports", async () => {
    const node = await spawnNode();
    assert.equal(await node.stop("SIGINT"), 0);
    for (const port of [node.ports.grpc, node.ports.rest]) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.once("connect", () => (socket.destroy(), resolve(false)));
        socket.once("error", () => resolve(true));
      });
      assert.ok(refused, `port ${port} still accepts connections`);
    }
  });

  it("refuses an invalid configuration, listing every problem, with exit code 2", async () => {
    const { code, stderr } = await runCli(["serve", "--log-level", "loud"], {
      MINIODB_SERVER__GRPC_PORT: "99999",
      MINIODB_SERVER__COLOUR: "blue",
    });
    assert.equal(code, 2);
    assert.match(stderr, /server\.grpc_port/);
    assert.match(stderr, /server\.colour: unknown key/);
    assert.match(stderr, /log\.level/);
  });

  it("reports a port already in use and exits non-zero", async () => {
    const first = await spawnNode();
    try {
      const { code, stderr } = await runCli([
        "serve",
        "--grpc-port",
        String(first.ports.grpc),
        "--rest-port",
        "0",
      ]);
      assert.equal(code, 1);
      assert.match(stderr, /EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });
});
