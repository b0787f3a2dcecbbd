// Lint for every package. The module-boundary rule enforces the dependency direction of the
// design: binaries (cli → gateway → worker) → adapters (metadata, storage, executor) → core → proto.
// Adapters never import each other, and core imports nothing that does I/O.
import nx from "@nx/eslint-plugin";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

/** Packages that do I/O or bind a vendor; none of them may reach core. */
const ioPackages = [
  "ioredis",
  "@aws-sdk/*",
  "@smithy/*",
  "@duckdb/*",
  "better-sqlite3",
  "hono",
  "@hono/*",
  "@connectrpc/connect-node",
  "pino",
  "pino-*",
  "s3rver",
  "yaml",
];

/** Node built-ins that do I/O (files, sockets, processes, threads, the environment). */
const ioBuiltins = [
  "fs",
  "fs/*",
  "net",
  "http",
  "http2",
  "https",
  "tls",
  "dgram",
  "dns",
  "dns/*",
  "child_process",
  "cluster",
  "worker_threads",
  "os",
  "process",
  "readline",
  "inspector",
  "v8",
  "vm",
];

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/src/gen/**", ".nx/**", "tools/scripts/**"] },
  ...nx.configs["flat/base"],
  ...nx.configs["flat/typescript"],
  {
    files: ["**/*.ts"],
    rules: {
      "@nx/enforce-module-boundaries": [
        "error",
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: true,
          depConstraints: [
            { sourceTag: "type:proto", onlyDependOnLibsWithTags: ["type:proto"] },
            {
              sourceTag: "type:core",
              onlyDependOnLibsWithTags: ["type:core", "type:proto"],
              bannedExternalImports: ioPackages,
            },
            { sourceTag: "type:adapter", onlyDependOnLibsWithTags: ["type:core", "type:proto"] },
            {
              sourceTag: "type:worker",
              onlyDependOnLibsWithTags: ["type:adapter", "type:core", "type:proto"],
            },
            {
              sourceTag: "type:gateway",
              onlyDependOnLibsWithTags: ["type:worker", "type:adapter", "type:core", "type:proto"],
            },
            { sourceTag: "type:client", onlyDependOnLibsWithTags: ["type:core", "type:proto"] },
            // The `miniodb` command: the node's own commands (gateway) plus data commands over the client.
            {
              sourceTag: "type:cli",
              onlyDependOnLibsWithTags: ["type:gateway", "type:client", "type:core", "type:proto"],
            },
            { sourceTag: "type:tool", onlyDependOnLibsWithTags: ["*"] },
          ],
        },
      ],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      // noUncheckedIndexedAccess makes indexed reads optional; `!` is the deliberate way to say
      // an index is in range.
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["packages/core/src/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ioBuiltins.flatMap((name) => [name, `node:${name}`]),
              message: "core does no I/O: take a port (interface) and let an adapter implement it.",
            },
          ],
        },
      ],
      "no-restricted-globals": [
        "error",
        { name: "process", message: "core does no I/O: take typed options instead." },
        { name: "fetch", message: "core does no I/O: take a port instead." },
      ],
    },
  },
  {
    files: ["**/*.test.ts", "**/test/**/*.ts"],
    rules: { "@typescript-eslint/no-empty-function": "off" },
  },
  {
    files: ["packages/*/src/**/*.ts"],
    ignores: ["**/*.test.ts", "**/bin/**", "**/test-support/**"],
    rules: { "no-console": "error" },
  },
  prettier,
);
