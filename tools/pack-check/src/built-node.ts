import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The compiled `miniodb` command, as `npm run build` leaves it. */
export const BUILT_CLI = fileURLToPath(
  new URL("../../../packages/query-node/dist/bin/miniodb.js", import.meta.url),
);

export interface BuiltNode {
  readonly child: ChildProcess;
  readonly ports: { grpc: number; rest: number };
  /** Stops the node (SIGTERM), waits for it to exit and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts the built `miniodb serve` (plain node, no TypeScript loader) on free loopback ports with
 * a fresh data directory and waits until it logs that it listens.
 */
export async function startBuiltNode(timeoutMs = 60_000): Promise<BuiltNode> {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build first`);
  const dataDir = mkdtempSync(join(tmpdir(), "miniodb-pack-node-"));
  const child = spawn(process.execPath, [BUILT_CLI, "serve", "--grpc-port", "0", "--rest-port", "0"], {
    env: { ...process.env, MINIODB_NODE__DATA_DIR: dataDir, MINIODB_LOG__LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const ports = await new Promise<{ grpc: number; rest: number }>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const entry = JSON.parse(line) as { msg?: string; ports?: { grpc: number; rest: number } };
        if (entry.msg === "listening" && entry.ports) resolve(entry.ports);
      });
      void exited.then(() => reject(new Error(`the built node exited before listening: ${stderr}`)));
    });
    return { child, ports, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
