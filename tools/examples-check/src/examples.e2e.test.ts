import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startNode, type RunningNode } from "./built-node.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** The commands of the first bash block of examples/README.md, one example per line. */
function documentedCommands(): string[] {
  const readme = readFileSync(`${ROOT}/examples/README.md`, "utf8");
  const block = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  return block.split("\n").filter((line) => line.trim() !== "");
}

async function run(command: string, env: Record<string, string>): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("bash", ["-c", command], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    return stdout;
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    assert.fail(`${command} exited with ${failed.code}\n${failed.stdout}\n${failed.stderr}`);
  }
}

describe("examples/, run as examples/README.md documents them", () => {
  let node: RunningNode;
  let env: Record<string, string>;
  const commands = documentedCommands();
  const commandFor = (path: string) => {
    const command = commands.find((line) => line.includes(path));
    assert.ok(command, `examples/README.md documents ${path}`);
    return command;
  };

  before(async () => {
    node = await startNode();
    env = {
      MINIODB_REST_URL: `http://127.0.0.1:${node.ports.rest}`,
      MINIODB_GRPC_URL: `http://127.0.0.1:${node.ports.grpc}`,
      MINIODB_SERVER: `http://127.0.0.1:${node.ports.grpc}`,
    };
  });
  after(async () => node?.stop());

  it("documents one command per example, and nothing else", () => {
    assert.equal(commands.length, 3, commands.join("\n"));
  });

  it("curl: creates a table, writes, queries, updates, deletes and drops over REST", async () => {
    const output = await run(commandFor("examples/curl/rest-walkthrough.sh"), env);
    assert.match(output, /"message":"table users created"/);
    assert.match(output, /"result_json":"\[\{\\"adults\\":1\}\]"/);
    assert.match(output, /"message":"record user-123 updated"/);
    assert.match(
      output,
      /\{\\"id\\":\\"user-123\\",\\"name\\":\\"John Smith\\",\\"age\\":31,\\"score\\":98.5\}/,
    );
    assert.match(output, /"deleted_count":1/);
    assert.match(
      output,
      /> POST \/v1\/query\n\{"result_json":"\[\{\\"id\\":\\"user-456\\",\\"name\\":\\"Jane Roe\\"\}\]"/,
    );
    assert.match(output, /"message":"table users deleted"/);
  });

  it("buf curl: the same over gRPC with the repository's schema", async () => {
    const output = await run(commandFor("examples/buf-curl/grpc-walkthrough.sh"), env);
    assert.match(output, /"status": "healthy"/);
    assert.match(output, /"message": "record sensor-2 written"/);
    assert.match(output, /"resultJson": "\[\{\\"readings\\":2,\\"mean\\":22.5\}\]"/);
    assert.match(output, /"message": "table buf_demo deleted"/);
  });

  it("TypeScript client: streams records in and reads a grouped query back page by page", async () => {
    const output = await run(commandFor("examples/typescript-client/main.ts"), env);
    assert.equal(
      output,
      [
        "wrote 1000 records, 0 errors",
        '{"customer":"c0","orders":334,"total":167000}',
        '{"customer":"c1","orders":333,"total":166333.5}',
        '{"customer":"c2","orders":333,"total":166666.5}',
        "dropped client_demo",
        "",
      ].join("\n"),
    );
  });
});
