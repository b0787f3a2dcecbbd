import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ShardRing } from "@miniodb/core";
import { startBuiltNode, type BuiltNode } from "./built-node.js";
import { ConsumerProject } from "./consumer-project.js";
import { packWorkspaces, type PackedPackage } from "./pack-workspaces.js";
import { packedPackageProblems, type PackageManifest } from "./packed-package-problems.js";
import { sourceMapProblems, type SourceMap } from "./source-map-problems.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const PUBLISHED = [
  "core",
  "proto",
  "metadata",
  "storage",
  "executor",
  "worker-node",
  "query-node",
  "client",
  "cli",
];

function manifestOf(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(ROOT, "packages", dir, "package.json"), "utf8")) as PackageManifest;
}

// Runs after the packages are built (the test target depends on ^build).
describe("published packages", () => {
  const manifests = new Map(PUBLISHED.map((dir) => [dir, manifestOf(dir)]));
  const versions = new Map([...manifests.values()].map((m) => [m.name!, m.version!]));
  const packDir = mkdtempSync(join(tmpdir(), "miniodb-packs-"));
  let packed: PackedPackage[] = [];
  let node: BuiltNode | undefined;
  let consumer: ConsumerProject | undefined;

  before(async () => {
    packed = await packWorkspaces(ROOT, [...versions.keys()], packDir);
  });
  after(async () => {
    await node?.stop();
    consumer?.remove();
    rmSync(packDir, { recursive: true, force: true });
  });

  it("packs every package with its metadata, exports, types, README and self-contained source maps, and nothing else", () => {
    assert.deepEqual(packed.map((p) => p.name).sort(), [...versions.keys()].sort());
    for (const [dir, manifest] of manifests) {
      const pack = packed.find((p) => p.name === manifest.name)!;
      assert.deepEqual(packedPackageProblems(manifest, pack.files, versions), [], `packages/${dir}`);
      const readMap = (file: string) =>
        JSON.parse(readFileSync(join(ROOT, "packages", dir, file), "utf8")) as SourceMap;
      assert.deepEqual(sourceMapProblems(pack.files, readMap), [], `packages/${dir}: source maps`);
      assert.ok(
        pack.files.some((file) => file.endsWith(".js.map")),
        `packages/${dir} ships source maps (control)`,
      );
    }
  });

  it("installs core, proto and client into a fresh project, which compiles and talks to a running node", async () => {
    const tarballs = ["@miniodb/core", "@miniodb/proto", "@miniodb/client"].map(
      (name) => packed.find((p) => p.name === name)!.tarball,
    );
    [consumer, node] = await Promise.all([ConsumerProject.create(tarballs), startBuiltNode()]);
    await consumer.compile();
    const result = await consumer.run([`http://127.0.0.1:${node.ports.grpc}`]);
    assert.deepEqual(result["ring"], {
      nodes: ["worker-a", "worker-b", "worker-c"],
      shardCount: 4096,
      owner: ShardRing.build(["worker-c", "worker-b", "worker-a"]).ownerOfRecord("users", "user-1"),
      emptyIdError: "invalid_argument",
    });
    assert.equal(result["service"], "miniodb.v1.MinIODBService");
    assert.equal(result["health"], "healthy");
    assert.deepEqual(result["written"], { one: true, many: 250, errors: [] });
    assert.deepEqual(result["rows"], {
      count: 251,
      first: { id: "c-1", age: 1 },
      last: { id: "c-250", age: 250 },
    });
    assert.equal(result["streamed"], 251);
    assert.deepEqual(result["tables"], ["consumers"]);
  });
});
