import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "./config-keys.js";

export interface SourceNode {
  readonly ports: { grpc: number; rest: number };
  stop(): Promise<void>;
}

/** Starts `miniodb serve` from source (tsx) on free loopback ports with a fresh data directory. */
export async function startSourceNode(): Promise<SourceNode> {
  const dataDir = mkdtempSync(join(tmpdir(), "miniodb-deploy-node-"));
  const cli = join(REPO_ROOT, "packages/query-node/src/bin/miniodb.ts");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@miniodb/source", cli, "serve", "--grpc-port", "0", "--rest-port", "0"],
    { env: { ...process.env, MINIODB_NODE__DATA_DIR: dataDir }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    const ports = await new Promise<{ grpc: number; rest: number }>((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const entry = JSON.parse(line) as { msg?: string; ports?: { grpc: number; rest: number } };
        if (entry.msg === "listening" && entry.ports) resolve(entry.ports);
      });
      void exited.then(() => reject(new Error(`node exited before listening: ${stderr}`)));
    });
    return { ports, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
