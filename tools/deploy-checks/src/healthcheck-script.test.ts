import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { DOCKER_DIR } from "./compose-project.js";
import { startSourceNode, type SourceNode } from "./source-node.js";

const SCRIPT = join(DOCKER_DIR, "healthcheck.mjs");

/** Runs the container health check with `env`; resolves with its exit code and stderr. */
async function healthcheck(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, [SCRIPT], {
      env: { PATH: process.env["PATH"] ?? "", ...env },
    });
    return { code: 0, stderr: "" };
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("deploy/docker/healthcheck.mjs", () => {
  let node: SourceNode;
  let workerPort: Server;
  before(async () => {
    node = await startSourceNode();
    workerPort = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => workerPort.listen(0, "127.0.0.1", resolve));
  });
  after(async () => {
    workerPort.close();
    await node?.stop();
  });

  it("passes for a healthy node's REST port, fails for a closed one", async () => {
    assert.deepEqual(await healthcheck({ MINIODB_SERVER__REST_PORT: String(node.ports.rest) }), {
      code: 0,
      stderr: "",
    });
    const closed = await healthcheck({ MINIODB_SERVER__REST_PORT: String(await freePort()) });
    assert.equal(closed.code, 1);
    assert.match(closed.stderr, /^unhealthy: \/v1\/health/);
  });

  it("asks a worker's health on its cluster port instead: accepting connections is not enough", async () => {
    // Every role serves /v1/health; the source node's REST port stands in for a worker's cluster port.
    const healthy = await healthcheck({
      MINIODB_NODE__ROLE: "worker",
      MINIODB_CLUSTER__PORT: String(node.ports.rest),
    });
    assert.deepEqual(healthy, { code: 0, stderr: "" });
    const silent = await healthcheck({
      MINIODB_NODE__ROLE: "worker",
      MINIODB_CLUSTER__PORT: String((workerPort.address() as AddressInfo).port),
    });
    assert.equal(silent.code, 1);
    assert.match(silent.stderr, /^unhealthy: \/v1\/health/);
    const closed = await healthcheck({
      MINIODB_NODE__ROLE: "worker",
      MINIODB_CLUSTER__PORT: String(await freePort()),
    });
    assert.equal(closed.code, 1);
    assert.match(closed.stderr, /^unhealthy: \/v1\/health/);
  });
});
