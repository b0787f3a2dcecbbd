import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runMiniodb } from "./support/cli-process.js";

/** Every command and subcommand of `miniodb`, as typed. */
const COMMANDS = [
  "serve",
  "hash-secret",
  "create-key",
  "compact",
  "backup",
  "backups",
  "restore-metadata",
  "restore",
  "restore-data",
  "repair-primary",
  "job",
  "query",
  "write",
  "import",
  "tables",
  "tables list",
  "tables create",
  "tables describe",
  "tables drop",
  "status",
];

/** The commands that talk to a server share the connection options and their variables. */
const CLIENT_COMMANDS = new Set([
  "query",
  "write",
  "import",
  "tables list",
  "tables create",
  "tables describe",
  "tables drop",
  "status",
]);
const CONNECTION_VARIABLES = [
  "MINIODB_SERVER",
  "MINIODB_API_KEY",
  "MINIODB_API_SECRET",
  "MINIODB_TOKEN",
  "MINIODB_CA_FILE",
];

describe("miniodb --help", () => {
  it("lists every command", async () => {
    const result = await runMiniodb(["--help"]);
    assert.equal(result.code, 0, result.stderr);
    for (const command of COMMANDS.filter((name) => !name.includes(" ") && name !== "restore"))
      assert.match(result.stdout, new RegExp(`^  ${command}[ |]`, "m"), command);
  });

  it("answers --help on every command with its usage (and the connection options on client commands)", async () => {
    const pending = [...COMMANDS];
    const check = async () => {
      for (let command = pending.shift(); command !== undefined; command = pending.shift()) {
        const result = await runMiniodb([...command.split(" "), "--help"]);
        assert.equal(result.code, 0, `${command}: ${result.stderr}`);
        const usage =
          command.startsWith("restore") && command !== "restore-data" ? "restore-metadata|restore" : command;
        assert.ok(result.stdout.startsWith(`Usage: miniodb ${usage} `), `${command}: ${result.stdout}`);
        if (CLIENT_COMMANDS.has(command))
          for (const variable of CONNECTION_VARIABLES)
            assert.match(result.stdout, new RegExp(`env:\\s+${variable}\\)`), `${command} ${variable}`);
      }
    };
    await Promise.all([check(), check(), check(), check()]);
  });
});
