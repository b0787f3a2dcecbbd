import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { before, describe, it } from "node:test";
import { ESLint } from "eslint";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** Lints `code` as if it were a new file in `project`'s sources; returns rule ids and messages. */
async function lintAs(project: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, {
    filePath: `${root}packages/${project}/src/boundary-probe.ts`,
  });
  return result!.messages
    .filter((message) => message.severity === 2)
    .map((message) => `${message.ruleId}: ${message.message}`);
}

describe("module boundaries (npm run lint)", () => {
  before(() => {
    // The Nx rule reads the cached project graph and silently skips without one.
    execFileSync("npx", ["nx", "show", "projects"], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: "false" },
      stdio: "ignore",
    });
  });

  it("lets a binary import adapters and core (control case)", async () => {
    assert.deepEqual(
      await lintAs(
        "query-node",
        'import { MiniodbError } from "@miniodb/core";\nexport const e = MiniodbError;\n',
      ),
      [],
    );
  });

  it("fails core importing an I/O package", async () => {
    for (const specifier of ["@duckdb/node-api", "ioredis", "better-sqlite3"]) {
      const errors = await lintAs("core", `import x from "${specifier}";\nexport const y = x;\n`);
      assert.ok(
        errors.some((error) => error.startsWith("@nx/enforce-module-boundaries")),
        `${specifier}: ${errors.join("; ")}`,
      );
    }
  });

  it("fails core importing a Node built-in that does I/O", async () => {
    for (const specifier of ["node:fs", "fs/promises", "node:net", "node:child_process"]) {
      const errors = await lintAs("core", `import * as x from "${specifier}";\nexport const y = x;\n`);
      assert.ok(
        errors.some((error) => error.startsWith("no-restricted-imports")),
        `${specifier}: ${errors.join("; ")}`,
      );
    }
  });

  it("fails an adapter importing another adapter, and core importing a binary", async () => {
    const adapterToAdapter = await lintAs(
      "storage",
      'import { openSqliteDatabase } from "@miniodb/metadata";\nexport const o = openSqliteDatabase;\n',
    );
    assert.ok(
      adapterToAdapter.some((error) => /type:adapter/.test(error)),
      adapterToAdapter.join("; "),
    );
    const coreToBinary = await lintAs(
      "core",
      'import { VERSION } from "@miniodb/query-node";\nexport const v = VERSION;\n',
    );
    assert.ok(
      coreToBinary.some((error) => error.startsWith("@nx/enforce-module-boundaries")),
      coreToBinary.join("; "),
    );
  });

  it("lets the cli import the client and query-node's commands, but not query-node import the client", async () => {
    assert.deepEqual(
      await lintAs(
        "cli",
        'import { createMiniodbClient } from "@miniodb/client";\nimport { addNodeCommands } from "@miniodb/query-node/commands";\nexport const c = [createMiniodbClient, addNodeCommands];\n',
      ),
      [],
    );
    const gatewayToClient = await lintAs(
      "query-node",
      'import { createMiniodbClient } from "@miniodb/client";\nexport const c = createMiniodbClient;\n',
    );
    // The rule names the tag constraint, or the cycle the import would close (the client's tests
    // depend on query-node): either way lint fails.
    assert.ok(
      gatewayToClient.some((error) => error.startsWith("@nx/enforce-module-boundaries")),
      gatewayToClient.join("; "),
    );
  });

  it("fails console output in library code", async () => {
    const errors = await lintAs("storage", 'console.log("debug");\n');
    assert.ok(
      errors.some((error) => error.startsWith("no-console")),
      errors.join("; "),
    );
  });
});
