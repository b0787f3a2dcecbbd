import assert from "node:assert/strict";
import http2 from "node:http2";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { ProtocolServer } from "./protocol-server.js";

describe("ProtocolServer", () => {
  let server: ProtocolServer;
  let base: string;
  before(async () => {
    server = await ProtocolServer.listen({
      host: "127.0.0.1",
      port: 0,
      handler: (request, response) => {
        response.setHeader("content-type", "text/plain");
        response.end(`${request.httpVersion} ${request.method} ${request.url}`);
      },
    });
    base = `http://127.0.0.1:${server.address.port}`;
  });
  after(() => server.close(0));

  it("serves HTTP/1.1, including keep-alive and request bodies", async () => {
    for (const path of ["/a", "/b"]) {
      const response = await fetch(`${base}${path}`, { method: "POST", body: "x".repeat(100_000) });
      assert.equal(await response.text(), `1.1 POST ${path}`);
    }
  });

  it("keeps idle HTTP/1.1 connections for 65 s, longer than clients keep theirs", async () => {
    const response = await fetch(`${base}/keep`);
    await response.text();
    assert.equal(response.headers.get("keep-alive"), "timeout=65");
  });

  it("serves cleartext HTTP/2 with prior knowledge", async () => {
    const session = http2.connect(base);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ ":path": "/h2" });
        let text = "";
        stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
        stream.on("end", () => resolve(text));
        stream.on("error", reject);
      });
      assert.equal(body, "2.0 GET /h2");
    } finally {
      session.close();
    }
  });

  it("recognises an HTTP/1.1 request and the HTTP/2 preface even when they arrive a byte at a time", async () => {
    const raw = "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.address.port, "127.0.0.1", async () => {
        for (const char of raw) {
          socket.write(char);
          await new Promise((wait) => setTimeout(wait, 1));
        }
      });
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    assert.match(reply, /^HTTP\/1\.1 200/);
    assert.match(reply, /1\.1 GET \/slow$/);
  });

  it("closes idle keep-alive connections at once on close, without waiting for the grace period", async () => {
    const other = await ProtocolServer.listen({
      host: "127.0.0.1",
      port: 0,
      handler: (_, response) => response.end("ok"),
    });
    const kept = await fetch(`http://127.0.0.1:${other.address.port}/`);
    assert.equal(await kept.text(), "ok");
    const started = performance.now();
    await other.close(120_000);
    assert.ok(performance.now() - started < 30_000, "close waited for the grace period");
  });

  it("stops accepting connections on close", async () => {
    const other = await ProtocolServer.listen({
      host: "127.0.0.1",
      port: 0,
      handler: (_, response) => response.end(),
    });
    const port = other.address.port;
    const kept = await fetch(`http://127.0.0.1:${port}/`);
    await kept.arrayBuffer();
    await other.close(1_000);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`));
  });
});
