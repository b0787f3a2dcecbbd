import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnServe } from "@miniodb/query-node/testing";

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
  const node = await spawnServe({ entry: NODE_ARGS, env, args });
  const scheme = node.listening["tls"] ? "https" : "http";
  return {
    server: `${scheme}://127.0.0.1:${node.ports.grpc}`,
    stop: async () => void (await node.stop()),
  };
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
