import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../src/bin/miniodb.ts", import.meta.url));

export interface SpawnedNode {
  readonly pid: number;
  readonly ports: { grpc: number; rest: number };
  /** The node's "listening" log line (a worker's port is `listening.ports.cluster`). */
  readonly listening: Record<string, unknown>;
  readonly child: ChildProcess;
  /** Log lines (parsed JSON) printed so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `miniodb serve` from source as a separate process on free loopback ports and waits until
 * it reports that it listens.
 */
export async function spawnNode(args: string[] = [], env: Record<string, string> = {}): Promise<SpawnedNode> {
  if (!env["MINIODB_NODE__DATA_DIR"])
    env = { ...env, MINIODB_NODE__DATA_DIR: mkdtempSync(join(tmpdir(), "miniodb-node-")) };
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@miniodb/source",
      CLI,
      "serve",
      "--grpc-port",
      "0",
      "--rest-port",
      "0",
      ...args,
    ],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs: Array<Record<string, unknown>> = [];
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry["msg"] === "listening") resolve(entry);
    });
    void exited.then((code) => reject(new Error(`node exited with ${code} before listening: ${stderr}`)));
  });
  const timeout = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const line = await listening;
    return {
      pid: child.pid!,
      ports: line["ports"] as { grpc: number; rest: number },
      listening: line,
      child,
      logs,
      async stop(signal = "SIGTERM") {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
  } finally {
    clearTimeout(timeout);
  }
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(args: string[], env: Record<string, string> = {}) {
  if (!env["MINIODB_NODE__DATA_DIR"])
    env = { ...env, MINIODB_NODE__DATA_DIR: mkdtempSync(join(tmpdir(), "miniodb-cli-")) };
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@miniodb/source", CLI, ...args], {
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
