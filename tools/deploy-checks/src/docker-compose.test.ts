import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadConfig } from "@miniodb/query-node";
import {
  configKeyOfVariable,
  documentedConfigKeys,
  documentedVariables,
  isKnownKey,
  REPO_ROOT,
} from "./config-keys.js";
import { DOCKER_DIR, loadComposeProject, nodeEnvironment, type ComposeService } from "./compose-project.js";
import { dockerfileStages, lastInstruction } from "./dockerfile-stages.js";

const project = loadComposeProject();
const services = project.file.services;
const isNode = (service: ComposeService) => service.build?.dockerfile === "deploy/docker/Dockerfile";
const nodes = Object.entries(services).filter(([, service]) => isNode(service));
const dataDir = "/var/lib/miniodb";

describe("deploy/docker/docker-compose.yml", () => {
  it("has Redis, two MinIO pools with bucket init, a query node and two workers", () => {
    for (const name of [
      "redis",
      "minio",
      "minio-backup",
      "minio-init",
      "query-node",
      "worker-1",
      "worker-2",
    ]) {
      assert.ok(services[name], `service ${name}`);
    }
    const roles = nodes.map(([, service]) => service.environment?.["MINIODB_NODE__ROLE"]).sort();
    assert.deepEqual(roles, ["query", "worker", "worker"]);
    const init = services["minio-init"]!.command!.toString();
    assert.match(init, /mc mb --ignore-existing "primary\/\$MINIO_BUCKET"/);
    assert.match(init, /mc mb --ignore-existing "backup\/\$MINIO_BACKUP_BUCKET"/);
  });

  it("refers only to variables env.example defines or that have defaults", () => {
    assert.deepEqual(project.undefinedVariables, []);
  });

  it("depends only on services that exist, waiting for health where they have a health check", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = services[dependency];
        assert.ok(target, `${name} depends on missing ${dependency}`);
        if (condition === "service_healthy")
          assert.ok(target.healthcheck, `${name} waits for ${dependency}'s health`);
        else assert.equal(condition, "service_completed_successfully", `${name} → ${dependency}`);
        if (condition === "service_completed_successfully")
          assert.equal(target.restart, undefined, dependency);
      }
    }
  });

  it("declares every named volume it mounts and mounts every one it declares", () => {
    const mounted = new Set(
      Object.values(services).flatMap((service) =>
        (service.volumes ?? [])
          .map((volume) => volume.split(":")[0]!)
          .filter((source) => !source.startsWith(".")),
      ),
    );
    assert.deepEqual([...mounted].sort(), Object.keys(project.file.volumes ?? {}).sort());
  });

  it("gives every long-running service a health check, and each node its own data volume", () => {
    for (const [name, service] of Object.entries(services)) {
      if (name !== "minio-init") assert.ok(service.healthcheck?.test.length, `${name} has a health check`);
    }
    const volumes = nodes.map(([name, service]) => {
      const mount = service.volumes?.find((volume) => volume.endsWith(`:${dataDir}`));
      assert.ok(mount, `${name} mounts a volume at ${dataDir}`);
      return mount;
    });
    assert.equal(new Set(volumes).size, nodes.length);
    for (const [, service] of nodes)
      assert.deepEqual(service.healthcheck!.test, ["CMD", "node", "/app/healthcheck.mjs"]);
  });

  it("sets on the nodes only configuration variables the node reads, and documented keys", () => {
    const documented = documentedConfigKeys();
    const variables = documentedVariables();
    for (const [name, service] of nodes) {
      const env = nodeEnvironment(project, service);
      for (const variable of Object.keys(env)) {
        const key = configKeyOfVariable(variable);
        if (key !== undefined)
          assert.ok(isKnownKey(key, documented), `${name}: ${variable} → ${key} is not documented`);
      }
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (configKeyOfVariable(variable) !== undefined) continue;
        assert.ok(
          variables.includes(variable),
          `${name}: ${variable} (${value}) is not a variable the node reads`,
        );
      }
    }
  });

  it("gives each node an environment the node accepts (Redis metadata, S3 with a backup pool)", () => {
    for (const [name, service] of nodes) {
      const env = nodeEnvironment(project, service);
      const config = loadConfig({
        env: { ...env, MINIODB_NODE__DATA_DIR: dataDir, MINIODB_SERVER__HOST: "0.0.0.0" },
      });
      assert.equal(config.node.role, service.environment?.["MINIODB_NODE__ROLE"], name);
      // Nodes listening beyond the loopback interface start only with auth configured.
      assert.ok(
        config.auth.jwt.secret && config.auth.api_keys.length > 0,
        `${name} has a JWT secret and API keys`,
      );
      assert.equal(config.metadata.backend, "redis", name);
      assert.equal(config.metadata.redis.host, "redis", name);
      assert.equal(config.metadata.redis.password, project.env["REDIS_PASSWORD"], name);
      assert.equal(config.storage.backend, "s3", name);
      assert.equal(config.storage.s3?.endpoint, "http://minio:9000", name);
      assert.equal(config.storage.s3?.bucket, project.env["MINIO_BUCKET"], name);
      assert.equal(config.storage.backup?.endpoint, "http://minio-backup:9000", name);
      assert.equal(config.storage.backup?.bucket, project.env["MINIO_BACKUP_BUCKET"], name);
    }
  });

  it("publishes the ports the query node listens on, and advertises each node at its service name", () => {
    const query = services["query-node"]!;
    const env = query.environment!;
    const published = (query.ports ?? []).map((port) => port.split(":").at(-1)).sort();
    assert.deepEqual(published, [env["MINIODB_SERVER__GRPC_PORT"], env["MINIODB_SERVER__REST_PORT"]].sort());
    assert.equal(env["MINIODB_CLUSTER__ADVERTISE_ADDRESS"], `query-node:${env["MINIODB_SERVER__GRPC_PORT"]}`);
    const ids = new Set<string>();
    for (const [name, service] of nodes) {
      const nodeEnv = service.environment!;
      ids.add(nodeEnv["MINIODB_NODE__ID"]!);
      if (nodeEnv["MINIODB_NODE__ROLE"] === "worker") {
        assert.equal(
          nodeEnv["MINIODB_CLUSTER__ADVERTISE_ADDRESS"],
          `${name}:${nodeEnv["MINIODB_CLUSTER__PORT"]}`,
        );
        assert.equal(service.ports, undefined, `${name} is reached inside the compose network only`);
      }
    }
    assert.equal(ids.size, nodes.length, "node ids are unique");
  });
});

describe("deploy/docker/Dockerfile", () => {
  const stages = dockerfileStages();
  const runtime = stages.at(-1)!;

  it("builds in stages and runs as an unprivileged user with a health check", () => {
    assert.ok(stages.length >= 3, "multi-stage");
    assert.equal(runtime.name, "runtime");
    const user = lastInstruction(runtime, "USER");
    assert.ok(user && !/^(root|0)(:|$)/.test(user), `USER ${user}`);
    assert.match(lastInstruction(runtime, "HEALTHCHECK") ?? "", /CMD \["node", "\/app\/healthcheck\.mjs"\]/);
    assert.ok(
      runtime.instructions.some(
        ([name, rest]) => name === "COPY" && rest === "deploy/docker/healthcheck.mjs /app/healthcheck.mjs",
      ),
    );
    assert.ok(
      !runtime.instructions.some(([name, rest]) => name === "RUN" && /apt-get install/.test(rest)),
      "no compilers",
    );
  });

  it("starts the bin that @miniodb/query-node declares, with the data directory the compose file mounts", () => {
    const manifest = JSON.parse(
      readFileSync(join(REPO_ROOT, "packages/query-node/package.json"), "utf8"),
    ) as {
      bin: Record<string, string>;
    };
    const bin = manifest.bin["miniodb-node"]!.replace(/^\.\//, "");
    assert.equal(
      lastInstruction(runtime, "ENTRYPOINT"),
      `["node", "/app/node_modules/@miniodb/query-node/${bin}"]`,
    );
    assert.match(lastInstruction(runtime, "ENV") ?? "", new RegExp(`MINIODB_NODE__DATA_DIR=${dataDir}`));
    assert.match(lastInstruction(runtime, "VOLUME") ?? "", new RegExp(dataDir));
  });

  it("packs every workspace package the server depends on", () => {
    const packed = new Set(
      [
        ...stages[0]!.instructions
          .map(([, rest]) => rest)
          .join(" ")
          .matchAll(/-w (@miniodb\/[a-z-]+)/g),
      ].map((m) => m[1]),
    );
    const pending = ["@miniodb/query-node"];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      assert.ok(packed.has(name), `${name} is packed`);
      const manifest = JSON.parse(
        readFileSync(join(REPO_ROOT, "packages", name.replace("@miniodb/", ""), "package.json"), "utf8"),
      ) as { dependencies?: Record<string, string> };
      pending.push(...Object.keys(manifest.dependencies ?? {}).filter((dep) => dep.startsWith("@miniodb/")));
    }
  });

  it("keeps local files out of the build context", () => {
    const ignored = readFileSync(join(REPO_ROOT, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["**/node_modules", "**/dist", ".git", "deploy/docker/.env"])
      assert.ok(ignored.includes(entry), entry);
    assert.ok(DOCKER_DIR.endsWith("deploy/docker"));
  });
});
