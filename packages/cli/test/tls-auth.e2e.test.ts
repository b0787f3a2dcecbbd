import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runMiniodb, spawnNode, type NodeProcess } from "./support/cli-process.js";

/** A node with TLS (a self-signed certificate) and API keys: the shared connection options. */
describe("miniodb against a node with TLS and authentication", () => {
  const dir = mkdtempSync(join(tmpdir(), "miniodb-cli-tls-"));
  const certFile = join(dir, "cert.pem");
  let node: NodeProcess;

  before(async () => {
    const keyFile = join(dir, "key.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat(
        ["-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=localhost"],
        ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
      ),
      { stdio: "ignore" },
    );
    const hashed = await runMiniodb(["hash-secret", "writer-secret"]);
    assert.equal(hashed.code, 0, hashed.stderr);
    const config = {
      auth: {
        enabled: true,
        api_keys: [{ id: "writer-1", secret_hash: hashed.stdout.trim(), role: "writer" }],
        jwt: { secret: "a-test-signing-secret-of-32-chars!" },
      },
      tls: { cert_file: certFile, key_file: keyFile },
    };
    writeFileSync(join(dir, "config.yaml"), JSON.stringify(config));
    node = await spawnNode({}, ["--config", join(dir, "config.yaml")]);
    assert.match(node.server, /^https:/);
  });
  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes and queries with --ca and an API key pair from the environment", async () => {
    const env = {
      MINIODB_SERVER: node.server,
      MINIODB_CA_FILE: certFile,
      MINIODB_API_KEY: "writer-1",
      MINIODB_API_SECRET: "writer-secret",
    };
    const imported = await runMiniodb(["import", "-", "--table", "secure"], {
      env,
      input: '{"id":"s1","v":1}\n{"id":"s2","v":2}\n',
    });
    assert.equal(imported.code, 0, imported.stderr);
    const queried = await runMiniodb(["query", "SELECT sum(v) AS total FROM secure", "-f", "json"], { env });
    assert.equal(queried.code, 0, queried.stderr);
    assert.deepEqual(JSON.parse(queried.stdout), [{ total: 3 }]);
  });

  it("is refused without credentials, with a wrong secret, and without the CA", async () => {
    const sql = ["query", "SELECT 1 AS one", "--server", node.server];
    const [anonymous, wrongSecret, untrusted] = await Promise.all([
      runMiniodb([...sql, "--ca", certFile]),
      runMiniodb([...sql, "--ca", certFile, "--api-key", "writer-1", "--api-secret", "wrong"]),
      runMiniodb([...sql, "--api-key", "writer-1", "--api-secret", "writer-secret"]),
    ]);
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /^miniodb: unauthenticated: /m);
    assert.equal(wrongSecret.code, 1);
    assert.match(wrongSecret.stderr, /^miniodb: unauthenticated: /m);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /^miniodb: [a-z_]+: self-signed certificate/m);
  });
});
