import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MiniodbError } from "@miniodb/core";
import { loadConfig } from "./load-config.js";

function yamlFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "miniodb-config-")), "config.yaml");
  writeFileSync(path, text);
  return path;
}

const invalid = (pattern: RegExp) => (error: unknown) =>
  MiniodbError.is(error, "invalid_argument") && pattern.test(error.message);

describe("loadConfig", () => {
  it("defaults to loopback on the original ports", () => {
    const config = loadConfig();
    assert.equal(config.server.host, "127.0.0.1");
    assert.equal(config.server.grpc_port, 8080);
    assert.equal(config.server.rest_port, 8081);
    assert.equal(config.log.level, "info");
    assert.equal(config.node.id, undefined);
    assert.equal(config.node.data_dir, "./data");
  });

  it("layers YAML file < environment < flags", () => {
    const file = yamlFile("server:\n  grpc_port: 7000\n  rest_port: 7001\nnode:\n  id: from-file\n");
    const config = loadConfig({
      file,
      env: { MINIODB_SERVER__REST_PORT: "7101", MINIODB_LOG__LEVEL: "debug", HOME: "/root" },
      flags: { "server.rest_port": 7201, "server.host": undefined },
    });
    assert.equal(config.server.grpc_port, 7000);
    assert.equal(config.server.rest_port, 7201);
    assert.equal(config.log.level, "debug");
    assert.equal(config.node.id, "from-file");
    assert.equal(config.server.host, "127.0.0.1");
  });

  it("reads the original deployment's MINIO_* variables, below MINIODB_* ones", () => {
    const config = loadConfig({
      file: yamlFile("storage:\n  backend: local\n"),
      env: {
        MINIO_ENDPOINT: "http://127.0.0.1:9000",
        MINIO_ACCESS_KEY_ID: "key",
        MINIO_SECRET_ACCESS_KEY: "secret",
        MINIO_BUCKET: "data",
        MINIO_BACKUP_ENDPOINT: "https://backup:9000",
        MINIO_BACKUP_ACCESS_KEY_ID: "k2",
        MINIO_BACKUP_SECRET_ACCESS_KEY: "s2",
        MINIODB_STORAGE__S3__BUCKET: "wins",
      },
    });
    assert.equal(config.storage.backend, "s3");
    assert.equal(config.storage.s3?.endpoint, "http://127.0.0.1:9000");
    assert.equal(config.storage.s3?.bucket, "wins");
    assert.equal(config.storage.backup?.bucket, "miniodb");
    assert.equal(config.storage.backup?.endpoint, "https://backup:9000");
  });

  it("refuses an S3 backend without its pool, and a backup pool on local storage", () => {
    assert.throws(() => loadConfig({ env: { MINIODB_STORAGE__BACKEND: "s3" } }), invalid(/storage\.s3/));
    assert.throws(
      () =>
        loadConfig({
          file: yamlFile(
            "storage:\n  backup:\n    endpoint: http://b:9000\n    access_key_id: a\n    secret_access_key: b\n",
          ),
        }),
      invalid(/backup/),
    );
    assert.throws(
      () =>
        loadConfig({
          env: { MINIO_ENDPOINT: "ftp://x", MINIO_ACCESS_KEY_ID: "a", MINIO_SECRET_ACCESS_KEY: "b" },
        }),
      invalid(/endpoint/),
    );
  });

  it("finds the file through MINIODB_CONFIG", () => {
    const file = yamlFile("node:\n  id: via-env\n");
    assert.equal(loadConfig({ env: { MINIODB_CONFIG: file } }).node.id, "via-env");
  });

  it("reports every problem of every source in one error", () => {
    const file = yamlFile("server:\n  grpc_port: -1\n  colour: blue\nlogging: {}\n");
    assert.throws(
      () => loadConfig({ file, env: { MINIODB_LOG__LEVEL: "loud", MINIODB___X: "1" } }),
      (error: unknown) => {
        assert.ok(MiniodbError.is(error, "invalid_argument"));
        for (const expected of [
          "server.grpc_port",
          "server.colour: unknown key",
          "logging: unknown key",
          "log.level",
          "MINIODB___X",
        ]) {
          assert.ok(error.message.includes(expected), `missing ${expected} in:\n${error.message}`);
        }
        return true;
      },
    );
  });

  it("rejects unreadable files, broken YAML and non-mapping documents", () => {
    assert.throws(() => loadConfig({ file: "/nonexistent/miniodb.yaml" }), invalid(/cannot read/));
    assert.throws(() => loadConfig({ file: yamlFile("server: [1, 2\n") }), invalid(/not valid YAML/));
    assert.throws(() => loadConfig({ file: yamlFile("- a\n- b\n") }), invalid(/mapping/));
  });

  it("reads the tracing block, and refuses an unknown exporter, a ratio above 1 and a non-HTTP endpoint", () => {
    const tracing = loadConfig({
      file: yamlFile(
        "observability:\n  tracing:\n    exporter: otlp\n    sample_ratio: 0.25\n" +
          "    otlp: { endpoint: 'https://collector:4318/v1/traces', headers: { authorization: 'Bearer x' } }\n",
      ),
    }).observability.tracing;
    assert.equal(tracing.exporter, "otlp");
    assert.equal(tracing.sample_ratio, 0.25);
    assert.deepEqual(tracing.otlp.headers, { authorization: "Bearer x" });
    assert.equal(loadConfig().observability.tracing.exporter, "none");
    assert.throws(
      () =>
        loadConfig({
          env: {
            MINIODB_OBSERVABILITY__TRACING__EXPORTER: "zipkin",
            MINIODB_OBSERVABILITY__TRACING__SAMPLE_RATIO: "2",
            MINIODB_OBSERVABILITY__TRACING__OTLP__ENDPOINT: "ftp://collector/v1/traces",
          },
        }),
      (error: unknown) =>
        invalid(/observability\.tracing\.exporter/)(error) &&
        invalid(/observability\.tracing\.sample_ratio/)(error) &&
        invalid(/observability\.tracing\.otlp\.endpoint/)(error),
    );
  });

  it("accepts an empty file", () => {
    assert.equal(loadConfig({ file: yamlFile("") }).server.grpc_port, 8080);
  });

  it("returns a frozen object", () => {
    const config = loadConfig();
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server));
  });
});
