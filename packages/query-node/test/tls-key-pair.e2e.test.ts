import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { connect } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AuthService, MinIODBService } from "@miniodb/proto";
import { stringify } from "yaml";
import { hashSecret } from "../src/auth/secret-hash.js";
import { spawnNode, type SpawnedNode } from "./support/spawn-node.js";

/**
 * A node with TLS on both ports and JWTs signed with an ES256 key pair: tokens are issued over
 * gRPC, used over HTTPS (HTTP/1.1) and gRPC (HTTP/2 over TLS), and plain HTTP is not served.
 */
describe("TLS and key-pair tokens", () => {
  const dir = mkdtempSync(join(tmpdir(), "miniodb-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  let ca: Buffer;
  let node: SpawnedNode;

  before(async () => {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        keyFile,
        "-out",
        certFile,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
      ],
      { stdio: "ignore" },
    );
    ca = readFileSync(certFile);
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    writeFileSync(join(dir, "jwt-private.pem"), pair.privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(join(dir, "jwt-public.pem"), pair.publicKey.export({ type: "spki", format: "pem" }));
    const config = {
      auth: {
        enabled: true,
        api_keys: [{ id: "admin-key", secret_hash: await hashSecret("admin-secret"), role: "admin" }],
        jwt: {
          private_key_file: join(dir, "jwt-private.pem"),
          public_key_file: join(dir, "jwt-public.pem"),
          algorithm: "ES256",
        },
      },
      tls: { cert_file: certFile, key_file: keyFile },
    };
    writeFileSync(join(dir, "config.yaml"), stringify(config));
    node = await spawnNode(["--config", join(dir, "config.yaml")]);
  });
  after(() => node?.stop());

  const grpc = () =>
    createGrpcTransport({
      baseUrl: `https://127.0.0.1:${node.ports.grpc}`,
      nodeOptions: { ca },
    });

  it("issues ES256 tokens over gRPC on TLS and accepts them over HTTPS and gRPC", async () => {
    const token = await createClient(AuthService, grpc()).getToken({
      apiKey: "admin-key",
      secret: "admin-secret",
    });
    const header = JSON.parse(Buffer.from(token.accessToken.split(".")[0]!, "base64url").toString());
    assert.equal(header.alg, "ES256");
    const tables = await createClient(MinIODBService, grpc()).listTables(
      {},
      { headers: { authorization: `Bearer ${token.accessToken}` } },
    );
    assert.equal(tables.tables.length, 0);
    const https = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const call = request(
        `https://127.0.0.1:${node.ports.rest}/v1/tables`,
        { ca, headers: { authorization: `Bearer ${token.accessToken}` } },
        (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => (body += chunk.toString()));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      call.on("error", reject);
      call.end();
    });
    assert.equal(https.status, 200, https.body);
    await assert.rejects(
      createClient(MinIODBService, grpc()).listTables({}),
      (error: unknown) => error instanceof ConnectError && error.code === Code.Unauthenticated,
    );
  });

  it("serves no cleartext HTTP/1.1 or h2c", async () => {
    await assert.rejects(fetch(`http://127.0.0.1:${node.ports.rest}/v1/health`));
    const session = connect(`http://127.0.0.1:${node.ports.grpc}`);
    const failed = await new Promise<boolean>((resolve) => {
      session.once("error", () => resolve(true));
      session.once("close", () => resolve(true));
      const stream = session.request({ ":path": "/v1/health" });
      stream.once("response", () => resolve(false));
      stream.once("error", () => resolve(true));
      stream.end();
    });
    session.destroy();
    assert.equal(failed, true);
  });
});
