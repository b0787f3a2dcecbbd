import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { packedPackageProblems, type PackageManifest } from "./packed-package-problems.js";

const good: PackageManifest = {
  name: "@miniodb/example",
  version: "1.2.3",
  description: "an example",
  license: "BSD-3-Clause",
  type: "module",
  engines: { node: ">=20.19" },
  exports: {
    ".": { "@miniodb/source": "./src/index.ts", types: "./dist/index.d.ts", default: "./dist/index.js" },
  },
  bin: { example: "./dist/bin/example.js" },
  dependencies: { "@miniodb/core": "1.2.3", zod: "4.6.7" },
};
const files = ["README.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/bin/example.js"];
const versions = new Map([
  ["@miniodb/core", "1.2.3"],
  ["@miniodb/example", "1.2.3"],
]);

describe("packedPackageProblems", () => {
  it("accepts a complete package (control case)", () => {
    assert.deepEqual(packedPackageProblems(good, files, versions), []);
  });

  it("reports export and bin targets missing from the tarball", () => {
    const problems = packedPackageProblems(good, ["README.md", "dist/index.js"], versions);
    assert.deepEqual(problems, [
      'exports["."].types → ./dist/index.d.ts is not in the tarball',
      "bin example → ./dist/bin/example.js is not in the tarball",
    ]);
  });

  it("reports unpinned internal dependencies, but not third-party ranges", () => {
    const manifest = { ...good, dependencies: { "@miniodb/core": "^1.2.0", zod: "^4" } };
    assert.deepEqual(packedPackageProblems(manifest, files, versions), [
      "dependency @miniodb/core@^1.2.0 is not pinned to the workspace version 1.2.3",
    ]);
  });

  it("reports private packages, missing metadata, shipped sources and tests", () => {
    const manifest = { ...good, private: true, license: undefined, exports: undefined };
    const problems = packedPackageProblems(manifest, [...files, "src/index.ts", "dist/a.test.js"], versions);
    assert.ok(problems.includes('missing "license"'), problems.join("; "));
    assert.ok(problems.includes('"private": true cannot be published'));
    assert.ok(problems.includes('missing "exports" for "."'));
    assert.ok(problems.includes("src/index.ts should not be published"));
    assert.ok(problems.includes("dist/a.test.js should not be published"));
  });

  it("requires the source condition before types, and README.md", () => {
    const manifest = {
      ...good,
      exports: {
        ".": { types: "./dist/index.d.ts", "@miniodb/source": "./src/index.ts", default: "./dist/index.js" },
      },
    };
    const problems = packedPackageProblems(manifest, files.slice(1), versions);
    assert.deepEqual(problems, [
      "README.md is not in the tarball",
      'exports["."]: "@miniodb/source" must come before "types"',
    ]);
  });
});
