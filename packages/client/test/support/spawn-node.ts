import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The `miniodb` command from source (run with tsx; the package's nx config declares the dependency). */
const CLI = fileURLToPath(new URL("../../../query-node/src/bin/miniodb.ts", import.meta.url));

export interface NodeProcess {
  /** `http://127.0.0.1:<gRPC port>`. */
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/** Starts a real all-in-one node on free loopback ports with a fresh data directory. */
export async function spawnNode(env: Record<string, string> = {}): Promise<NodeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "miniodb-client-node-"));
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@miniodb/source", CLI, "serve", "--grpc-port", "0", "--rest-port", "0"],
    { env: { ...process.env, MINIODB_NODE__DATA_DIR: dataDir, ...env }, stdio: ["ignore", "pipe", "pipe"] },
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
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const entry = JSON.parse(line) as { msg?: string; ports?: { grpc: number } };
        if (entry.msg === "listening" && entry.ports) resolve(entry.ports.grpc);
      });
      void exited.then(() => reject(new Error(`node exited before listening: ${stderr}`)));
    });
    return { baseUrl: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
