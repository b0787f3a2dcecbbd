import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { SignJWT } from "jose";
import { AuthService, MinIODBService } from "@miniodb/proto";
import { TEST_JWT_SECRET, writeAuthConfig, type TestKey } from "./support/auth-node.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

const KEYS: TestKey[] = [
  { id: "admin-key", secret: "admin-secret", role: "admin" },
  { id: "writer-key", secret: "writer-secret", role: "writer" },
  { id: "reader-key", secret: "reader-secret", role: "reader" },
  { id: "scoped-key", secret: "scoped-secret", role: "writer", tables: ["allowed"] },
  { id: "burst-key", secret: "burst-secret", role: "reader" },
];

interface Reply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON replies, asserted field by field
  body: Record<string, any>;
  headers: Headers;
}

describe("authentication and roles, end to end", () => {
  let node: SpawnedNode;
  let auditFile: string;
  let rest: string;
  let grpc: Transport;
  let connect: Transport;
  const tokens = new Map<string, { access: string; refresh: string }>();

  async function call(method: string, path: string, body?: unknown, token?: string): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token) headers["authorization"] = `Bearer ${token}`;
    const response = await fetch(`${rest}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
  }

  const access = (id: string) => tokens.get(id)!.access;
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
  const errorCode = (reply: Reply) => reply.body["error"]?.["code"];

  async function rowCount(table: string): Promise<number> {
    const reply = await call(
      "POST",
      "/v1/query",
      { sql: `SELECT COUNT(*) AS n FROM ${table}` },
      access("admin-key"),
    );
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return Number(JSON.parse(reply.body["result_json"])[0].n);
  }

  async function rejectsRpc(promise: Promise<unknown>, code: Code): Promise<void> {
    await assert.rejects(promise, (error: unknown) => {
      assert.equal(ConnectError.from(error).code, code, String(error));
      return true;
    });
  }

  before(async () => {
    const config = await writeAuthConfig(KEYS, { rate_limit: { requests_per_second: 1, burst: 150 } });
    auditFile = config.auditFile;
    node = await spawnNode(["--config", config.path]);
    rest = `http://127.0.0.1:${node.ports.rest}`;
    grpc = createGrpcTransport({ baseUrl: `http://127.0.0.1:${node.ports.grpc}` });
    connect = createConnectTransport({ baseUrl: rest, httpVersion: "1.1" });
    for (const key of KEYS) {
      const reply = await call("POST", "/v1/auth/token", { api_key: key.id, api_secret: key.secret });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      tokens.set(key.id, { access: reply.body["access_token"], refresh: reply.body["refresh_token"] });
    }
    for (const table of ["allowed", "secret_stuff"]) {
      const reply = await call("POST", "/v1/tables", { table_name: table }, access("admin-key"));
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
    }
  });
  after(async () => {
    await node?.stop();
  });

  it("reports auth on in its startup log", () => {
    assert.equal(node.logs.find((entry) => entry["msg"] === "listening")?.["auth"], true);
  });

  it("keeps health and token issue public, over REST and gRPC", async () => {
    assert.equal((await call("GET", "/v1/health")).status, 200);
    const health = await createClient(MinIODBService, grpc).healthCheck({});
    assert.equal(health.status, "healthy");
    const pair = await createClient(AuthService, grpc).getToken({
      apiKey: "reader-key",
      secret: "reader-secret",
    });
    assert.equal(pair.tokenType, "Bearer");
    assert.equal(pair.expiresIn, 60n);
    const tables = await createClient(MinIODBService, grpc).listTables({}, bearer(pair.accessToken));
    assert.ok(tables.tables.some((table) => table.name === "allowed"));
  });

  it("states the real lifetime in expires_in", async () => {
    const reply = await call("POST", "/v1/auth/token", {
      api_key: "reader-key",
      api_secret: "reader-secret",
    });
    const payload = JSON.parse(Buffer.from(reply.body["access_token"].split(".")[1], "base64url").toString());
    assert.equal(reply.body["expires_in"], 60);
    assert.ok(Math.abs(payload.exp - Date.now() / 1000 - 60) <= 2);
  });

  it("refuses unknown keys and wrong secrets alike", async () => {
    for (const body of [
      { api_key: "admin-key", api_secret: "wrong" },
      { api_key: "nobody", api_secret: "admin-secret" },
    ]) {
      const reply = await call("POST", "/v1/auth/token", body);
      assert.equal(reply.status, 401);
      assert.equal(errorCode(reply), "unauthenticated");
    }
    assert.equal(
      errorCode(await call("POST", "/v1/auth/token", { api_key: "admin-key" })),
      "invalid_argument",
    );
    await rejectsRpc(
      createClient(AuthService, grpc).getToken({ apiKey: "admin-key", secret: "x" }),
      Code.Unauthenticated,
    );
  });

  it("refuses calls without a valid token, and writes nothing", async () => {
    const write = { table: "allowed", id: "r1", payload: { v: 1 } };
    const forged = {
      expired: await sign({ exp: Math.floor(Date.now() / 1000) - 10 }),
      "wrong signature": await sign({}, "another-secret-0123456789-abcdefghijklmnop"),
      "wrong audience": await sign({ aud: "someone-else" }),
      "wrong issuer": await sign({ iss: "someone-else" }),
      "refresh token used as access": tokens.get("writer-key")!.refresh,
      "alg none": unsigned({ sub: "admin-key", role: "admin" }),
      "role escalation": escalate(access("reader-key")),
      garbage: "not.a.token",
    };
    const reply = await call("POST", "/v1/data", write);
    assert.equal(reply.status, 401);
    assert.equal(errorCode(reply), "unauthenticated");
    assert.match(reply.headers.get("www-authenticate") ?? "", /^Bearer/);
    for (const [name, token] of Object.entries(forged)) {
      const rejected = await call("POST", "/v1/data", write, token);
      assert.equal(rejected.status, 401, name);
      assert.equal(errorCode(rejected), "unauthenticated", name);
      await rejectsRpc(
        createClient(MinIODBService, grpc).writeData({ table: "allowed", data: { id: "r1" } }, bearer(token)),
        Code.Unauthenticated,
      );
    }
    const basic = await fetch(`${rest}/v1/tables`, { headers: { authorization: "Basic YWRtaW46YWRtaW4=" } });
    assert.equal(basic.status, 401);
    await rejectsRpc(createClient(MinIODBService, connect).listTables({}), Code.Unauthenticated);
    assert.equal(await rowCount("allowed"), 0);
  });

  it("enforces roles per RPC and route with permission_denied", async () => {
    const reader = access("reader-key");
    const writer = access("writer-key");
    assert.equal(
      (await call("POST", "/v1/data", { table: "allowed", id: "x", payload: {} }, reader)).status,
      403,
    );
    assert.equal(
      errorCode(await call("POST", "/v1/tables", { table_name: "t_new" }, writer)),
      "permission_denied",
    );
    assert.equal((await call("DELETE", "/v1/tables/allowed", undefined, writer)).status, 403);
    assert.equal((await call("GET", "/v1/tables/allowed", undefined, reader)).status, 200);
    await rejectsRpc(
      createClient(MinIODBService, grpc).deleteTable({ tableName: "allowed" }, bearer(writer)),
      Code.PermissionDenied,
    );
    await rejectsRpc(
      createClient(MinIODBService, grpc).writeData({ table: "allowed", data: { id: "x" } }, bearer(reader)),
      Code.PermissionDenied,
    );
    // Unlisted routes are admin-only: a reader learns nothing, an admin gets the real 404.
    assert.equal((await call("GET", "/v1/not-a-route", undefined, reader)).status, 403);
    assert.equal((await call("GET", "/v1/not-a-route")).status, 401);
    assert.equal((await call("GET", "/v1/not-a-route", undefined, access("admin-key"))).status, 404);
    assert.equal((await call("GET", "/v1/tables", undefined, access("admin-key"))).body["total"], 2);
    assert.equal(await rowCount("allowed"), 0);
  });

  it("lets a writer write and a reader query", async () => {
    const written = await call(
      "POST",
      "/v1/data",
      { table: "allowed", id: "w1", payload: { v: 1 } },
      access("writer-key"),
    );
    assert.equal(written.status, 200, JSON.stringify(written.body));
    const response = await createClient(MinIODBService, grpc).queryData(
      { sql: "SELECT COUNT(*) AS n FROM allowed" },
      bearer(access("reader-key")),
    );
    assert.equal(JSON.parse(response.resultJson)[0].n, 1);
  });

  it("keeps a scoped key to its tables, in writes, SQL and table routes", async () => {
    const scoped = access("scoped-key");
    assert.equal(
      (await call("POST", "/v1/data", { table: "allowed", id: "s1", payload: { v: 2 } }, scoped)).status,
      200,
    );
    const before = await rowCount("secret_stuff");
    for (const [method, path, body] of [
      ["POST", "/v1/data", { table: "secret_stuff", id: "s1", payload: {} }],
      ["POST", "/v1/data", { id: "s1", payload: {} }], // the default table
      ["POST", "/v1/data/batch", { table: "secret_stuff", records: [{ id: "b1", payload: {} }] }],
      ["PUT", "/v1/data", { table: "secret_stuff", id: "s1", payload: {} }],
      ["DELETE", "/v1/data", { table: "secret_stuff", id: "s1" }],
      ["POST", "/v1/query", { sql: "SELECT * FROM secret_stuff" }],
      ["POST", "/v1/query", { sql: "SELECT * FROM allowed JOIN SECRET_STUFF USING (id)" }],
      ["POST", "/v1/query", { sql: "WITH x AS (SELECT * FROM secret_stuff) SELECT * FROM x" }],
      ["POST", "/v1/query", { sql: "SELECT * FROM allowed WHERE id IN (SELECT id FROM secret_stuff)" }],
      ["GET", "/v1/tables/secret_stuff", undefined],
    ] as const) {
      const reply = await call(method, path, body, scoped);
      assert.equal(
        reply.status,
        403,
        `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(reply.body)}`,
      );
      assert.equal(errorCode(reply), "permission_denied");
    }
    await rejectsRpc(
      createClient(MinIODBService, grpc).queryData({ sql: "SELECT * FROM secret_stuff" }, bearer(scoped)),
      Code.PermissionDenied,
    );
    await rejectsRpc(
      createClient(MinIODBService, grpc).streamWrite(
        (async function* () {
          yield { table: "allowed", records: [{ id: "ok1" }] };
          yield { table: "secret_stuff", records: [{ id: "no1" }] };
        })(),
        bearer(scoped),
      ),
      Code.PermissionDenied,
    );
    const escape = await call(
      "POST",
      "/v1/query",
      { sql: "SELECT * FROM allowed, read_csv('/etc/passwd')" },
      scoped,
    );
    assert.equal(errorCode(escape), "invalid_argument");
    assert.equal(await rowCount("secret_stuff"), before);
  });

  it("rotates refresh tokens, and a reused one revokes the whole session", async () => {
    const first = await call("POST", "/v1/auth/token", {
      api_key: "writer-key",
      api_secret: "writer-secret",
    });
    const rotated = await call("POST", "/v1/auth/refresh", { refresh_token: first.body["refresh_token"] });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body["refresh_token"], first.body["refresh_token"]);
    assert.equal((await call("GET", "/v1/tables", undefined, rotated.body["access_token"])).status, 200);
    const reused = await call("POST", "/v1/auth/refresh", { refresh_token: first.body["refresh_token"] });
    assert.equal(reused.status, 401);
    assert.equal(errorCode(reused), "unauthenticated");
    for (const token of [first.body["access_token"], rotated.body["access_token"]]) {
      assert.equal((await call("GET", "/v1/tables", undefined, token)).status, 401);
    }
    await rejectsRpc(
      createClient(AuthService, grpc).refreshToken({ refreshToken: rotated.body["refresh_token"] }),
      Code.Unauthenticated,
    );
    await rejectsRpc(
      createClient(AuthService, grpc).refreshToken({ refreshToken: first.body["access_token"] }),
      Code.Unauthenticated,
    );
  });

  it("honours a revocation on every protocol", async () => {
    const auth = createClient(AuthService, grpc);
    const pair = await auth.getToken({ apiKey: "admin-key", secret: "admin-secret" });
    assert.equal((await call("GET", "/v1/tables", undefined, pair.accessToken)).status, 200);
    const revoked = await call("DELETE", "/v1/auth/token", { token: pair.accessToken });
    assert.equal(revoked.status, 200);
    assert.equal((await call("GET", "/v1/tables", undefined, pair.accessToken)).status, 401);
    await rejectsRpc(
      createClient(MinIODBService, grpc).listTables({}, bearer(pair.accessToken)),
      Code.Unauthenticated,
    );
    await rejectsRpc(auth.refreshToken({ refreshToken: pair.refreshToken }), Code.Unauthenticated);
    const other = await auth.getToken({ apiKey: "admin-key", secret: "admin-secret" });
    assert.equal((await auth.revokeToken({ token: other.refreshToken })).success, true);
    await rejectsRpc(
      createClient(MinIODBService, connect).listTables({}, bearer(other.accessToken)),
      Code.Unauthenticated,
    );
    assert.equal(errorCode(await call("DELETE", "/v1/auth/token", { token: "nonsense" })), "unauthenticated");
  });

  it("rate-limits each key with resource_exhausted and a retry hint", async () => {
    const token = access("burst-key");
    const replies = await Promise.all(
      Array.from({ length: 200 }, () =>
        fetch(`${rest}/v1/tables`, { headers: { authorization: `Bearer ${token}` } }),
      ),
    );
    const limited = replies.filter((reply) => reply.status === 429);
    assert.ok(limited.length >= 40, `${limited.length} of 200 limited`);
    assert.ok(Number(limited[0]!.headers.get("retry-after")) >= 1);
    await Promise.all(replies.map((reply) => reply.arrayBuffer()));
    const rpcs = await Promise.allSettled(
      Array.from({ length: 40 }, () => createClient(MinIODBService, grpc).listTables({}, bearer(token))),
    );
    const exhausted = rpcs.filter(
      (result) =>
        result.status === "rejected" && ConnectError.from(result.reason).code === Code.ResourceExhausted,
    );
    assert.ok(exhausted.length > 0, "gRPC calls are limited too");
    assert.equal((await call("GET", "/v1/tables", undefined, access("reader-key"))).status, 200);
  });

  it("writes an audit line per write, table and denied attempt, with key id and outcome", () => {
    const lines = readFileSync(auditFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const has = (match: Record<string, unknown>) =>
      lines.some((line) => Object.entries(match).every(([key, value]) => line[key] === value)) ||
      assert.fail(`no audit line ${JSON.stringify(match)} in ${JSON.stringify(lines)}`);
    assert.ok(has({ operation: "CreateTable", key_id: "admin-key", outcome: "ok" }));
    assert.ok(has({ operation: "WriteData", key_id: "writer-key", outcome: "ok", protocol: "rest" }));
    assert.ok(has({ operation: "WriteData", key_id: "reader-key", outcome: "permission_denied" }));
    assert.ok(
      has({ operation: "DeleteTable", key_id: "writer-key", outcome: "permission_denied", protocol: "rpc" }),
    );
    assert.ok(has({ operation: "WriteData", key_id: "unauthenticated", outcome: "unauthenticated" }));
    assert.ok(lines.every((line) => typeof line["started_at"] === "string" && line["audit"] === true));
    assert.ok(!readFileSync(auditFile, "utf8").includes("writer-secret"));
  });
});

/** A token signed like the server's, with `claims` overriding the valid defaults. */
async function sign(claims: Record<string, unknown>, secret = TEST_JWT_SECRET): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    sub: "admin-key",
    sid: "no-session",
    jti: "x",
    role: "admin",
    iss: "miniodb",
    aud: "miniodb",
    iat: now,
    exp: now + 60,
    ...claims,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "HS256", typ: "at+jwt" })
    .sign(new TextEncoder().encode(secret));
}

function unsigned(claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "at+jwt" })}.${part({ iss: "miniodb", aud: "miniodb", exp: now + 60, sid: "s", jti: "j", ...claims })}.`;
}

/** The same token with its role claim raised to admin (and its original signature). */
function escalate(token: string): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
  return `${header}.${Buffer.from(JSON.stringify({ ...claims, role: "admin" })).toString("base64url")}.${signature}`;
}
