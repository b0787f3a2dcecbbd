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

  it("accepts an empty file", () => {
    assert.equal(loadConfig({ file: yamlFile("") }).server.grpc_port, 8080);
  });

  it("returns a frozen object", () => {
    const config = loadConfig();
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server));
  });
});
