import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SOURCE_ENTRY, spawnServe, type ServeProcess } from "../../src/testing/index.js";

export type SpawnedNode = ServeProcess;

/**
 * Starts `miniodb serve` from source as a separate process on free loopback ports and waits until
 * it reports that it listens.
 */
export function spawnNode(args: string[] = [], env: Record<string, string> = {}): Promise<SpawnedNode> {
  return spawnServe({ args, env });
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(args: string[], env: Record<string, string> = {}) {
  if (!env["MINIODB_NODE__DATA_DIR"])
    env = { ...env, MINIODB_NODE__DATA_DIR: mkdtempSync(join(tmpdir(), "miniodb-cli-")) };
  const child = spawn(process.execPath, [...SOURCE_ENTRY, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stdout, stderr };
}
