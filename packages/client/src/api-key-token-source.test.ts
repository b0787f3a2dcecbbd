import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createClient, Code, ConnectError } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AuthService } from "@miniodb/proto";
import { ApiKeyTokenSource } from "./api-key-token-source.js";
import { createMiniodbClient } from "./create-miniodb-client.js";
import { FakeAuthServer } from "./test-support/fake-auth-server.js";

describe("API key token handling", () => {
  let server: FakeAuthServer;
  before(async () => {
    server = await FakeAuthServer.start("key-1", "s3cret");
  });
  beforeEach(() => server.reset());
  after(() => server.close());

  function tokenSource(now: () => number, secret = "s3cret") {
    const auth = createClient(AuthService, createGrpcTransport({ baseUrl: server.baseUrl }));
    return new ApiKeyTokenSource(auth, { apiKey: "key-1", secret }, { refreshMarginSeconds: 60, now });
  }

  it("exchanges the key pair once and reuses the token until shortly before expiry", async () => {
    let now = 0;
    const source = tokenSource(() => now);
    assert.equal(await source.token(), "access-1");
    now = 839_000; // 900 s lifetime, renewed 60 s before: still valid at 839 s
    assert.equal(await source.token(), "access-1");
    assert.deepEqual(server.calls, ["GetToken"]);
    now = 840_000;
    assert.equal(await source.token(), "access-2");
    assert.deepEqual(server.calls, ["GetToken", "RefreshToken"]);
    now = 1_680_000; // the rotated refresh token is the one used next
    assert.equal(await source.token(), "access-3");
    assert.deepEqual(server.calls, ["GetToken", "RefreshToken", "RefreshToken"]);
  });

  it("renews a short-lived token a quarter of its lifetime early", async () => {
    let now = 0;
    server.expiresIn = 20n;
    const source = tokenSource(() => now);
    const first = await source.token();
    now = 14_999;
    assert.equal(await source.token(), first);
    now = 15_000;
    assert.notEqual(await source.token(), first);
  });

  it("shares one request between concurrent callers", async () => {
    const source = tokenSource(() => 0);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => source.token()));
    assert.deepEqual(new Set(tokens), new Set(["access-1"]));
    assert.deepEqual(server.calls, ["GetToken"]);
  });

  it("exchanges the key pair again when the refresh token is refused", async () => {
    let now = 0;
    const source = tokenSource(() => now);
    await source.token();
    server.revokeAll();
    now = 10_000_000;
    assert.equal(await source.token(), "access-2");
    assert.deepEqual(server.calls, ["GetToken", "RefreshToken", "GetToken"]);
  });

  it("fails with the server's code when the key pair is wrong", async () => {
    const source = tokenSource(() => 0, "wrong");
    await assert.rejects(
      source.token(),
      (error: unknown) => ConnectError.from(error).code === Code.Unauthenticated,
    );
  });

  it("client with credentials: sends the token, retries a refused unary call once with a new one, signs out", async () => {
    const client = createMiniodbClient({
      baseUrl: server.baseUrl,
      credentials: { apiKey: "key-1", secret: "s3cret" },
    });
    assert.equal((await client.db.healthCheck({})).details["authorization"], "Bearer access-1");
    server.revokeAll(); // e.g. an administrator revoked the session
    assert.equal((await client.db.healthCheck({})).details["authorization"], "Bearer access-2");
    assert.deepEqual(server.calls, [
      "GetToken",
      "HealthCheck Bearer access-1",
      "HealthCheck Bearer access-1",
      // the refused token is forgotten with its session: the pair is exchanged again
      "GetToken",
      "HealthCheck Bearer access-2",
    ]);
    await client.signOut();
    assert.equal(server.calls.at(-1), "RevokeToken refresh-2");
  });

  it("client with a static token does not retry a refused call", async () => {
    const client = createMiniodbClient({ baseUrl: server.baseUrl, token: "forged" });
    await assert.rejects(
      client.db.healthCheck({}),
      (error: unknown) => ConnectError.from(error).code === Code.Unauthenticated,
    );
    assert.deepEqual(server.calls, ["HealthCheck Bearer forged"]);
    assert.throws(
      () =>
        createMiniodbClient({
          baseUrl: server.baseUrl,
          token: "t",
          credentials: { apiKey: "k", secret: "s" },
        }),
      /either token or credentials/,
    );
  });
});
