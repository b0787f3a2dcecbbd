import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/**
 * The built `miniodb` command, as the package ships it (the test target depends on the build; run
 * `npx nx run @miniodb/cli:build` before running a test file by hand). It also starts in a third of
 * the CPU time the sources need under tsx, which matters for a suite of some forty runs.
 */
const MINIODB = fileURLToPath(new URL("../../dist/bin/miniodb.js", import.meta.url));
if (!existsSync(MINIODB)) throw new Error(`${MINIODB} is missing: run npx nx run @miniodb/cli:build first`);
const NODE_ARGS = [MINIODB];

export interface NodeProcess {
  /** `http://127.0.0.1:<gRPC port>`. */
  readonly server: string;
  stop(): Promise<void>;
}

/**
 * Starts `miniodb serve <args>` (all-in-one) on free loopback ports with a fresh data directory;
 * `server` is its gRPC address, https:// when it serves TLS.
 */
export async function spawnNode(
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<NodeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "miniodb-cli-node-"));
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, "serve", "--grpc-port", "0", "--rest-port", "0", ...args],
    {
      env: { ...process.env, MINIODB_NODE__DATA_DIR: dataDir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
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
    const listening = await new Promise<{ port: number; tls: boolean }>((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const entry = JSON.parse(line) as { msg?: string; ports?: { grpc: number }; tls?: boolean };
        if (entry.msg === "listening" && entry.ports)
          resolve({ port: entry.ports.grpc, tls: Boolean(entry.tls) });
      });
      void exited.then(() => reject(new Error(`node exited before listening: ${stderr}`)));
    });
    return { server: `${listening.tls ? "https" : "http"}://127.0.0.1:${listening.port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `miniodb <args>` to completion as a child process, optionally feeding `input` on stdin. */
export async function runMiniodb(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? "");
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stdout, stderr };
}
