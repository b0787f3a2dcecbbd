import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The node entry point as `npm run build` leaves it (the test target depends on the build). */
const NODE_BIN = fileURLToPath(new URL("../../../packages/query-node/dist/bin/miniodb.js", import.meta.url));

export interface RunningNode {
  readonly ports: { grpc: number; rest: number };
  stop(): Promise<void>;
}

/** Starts an all-in-one node on free loopback ports with a fresh data directory. */
export async function startNode(): Promise<RunningNode> {
  if (!existsSync(NODE_BIN)) throw new Error(`${NODE_BIN} is missing: run npm run build first`);
  const dataDir = mkdtempSync(join(tmpdir(), "miniodb-examples-node-"));
  const child = spawn(process.execPath, [NODE_BIN, "serve", "--grpc-port", "0", "--rest-port", "0"], {
    env: { ...process.env, MINIODB_NODE__DATA_DIR: dataDir, MINIODB_LOG__LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
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
      void exited.then(() => reject(new Error(`the node exited before listening: ${stderr}`)));
    });
    return { ports, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
