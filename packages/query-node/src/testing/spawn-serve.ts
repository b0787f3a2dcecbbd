import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** The `miniodb` command from this package's sources, run with tsx (inside the repository). */
export const SOURCE_ENTRY: readonly string[] = [
  "--import",
  "tsx",
  "--conditions=@miniodb/source",
  fileURLToPath(new URL("../../src/bin/miniodb.ts", import.meta.url)),
];

/** The `miniodb` command as `npm run build` leaves it. */
export const BUILT_ENTRY: readonly string[] = [
  fileURLToPath(new URL("../../dist/bin/miniodb.js", import.meta.url)),
];

export interface ServeOptions {
  /** Node.js arguments up to the script (default SOURCE_ENTRY); `serve` and the ports follow. */
  readonly entry?: readonly string[];
  /** Arguments after `serve --grpc-port 0 --rest-port 0`. */
  readonly args?: readonly string[];
  /** Added to the environment; without MINIODB_NODE__DATA_DIR a fresh directory is used and removed on stop. */
  readonly env?: Record<string, string>;
  /** The process is killed if it does not listen within this time (default 90 s: busy machines are slow). */
  readonly startTimeoutMs?: number;
}

export interface ServeProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly ports: { grpc: number; rest: number };
  /** The node's "listening" log line (a worker's port is `listening.ports.cluster`; `tls` when it serves TLS). */
  readonly listening: Record<string, unknown>;
  /** Log lines (parsed JSON) printed so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Sends `signal` (default SIGTERM), waits for the exit and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `miniodb serve` as a separate process on free loopback ports and waits until it reports
 * that it listens; a process that exits or times out first is reported with its stderr.
 */
export async function spawnServe(options: ServeOptions = {}): Promise<ServeProcess> {
  const ownDataDir = options.env?.["MINIODB_NODE__DATA_DIR"]
    ? undefined
    : mkdtempSync(join(tmpdir(), "miniodb-node-"));
  const env = { ...process.env, ...(ownDataDir && { MINIODB_NODE__DATA_DIR: ownDataDir }), ...options.env };
  const child = spawn(
    process.execPath,
    [
      ...(options.entry ?? SOURCE_ENTRY),
      "serve",
      "--grpc-port",
      "0",
      "--rest-port",
      "0",
      ...(options.args ?? []),
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs: Array<Record<string, unknown>> = [];
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const code = await exited;
    if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    return code;
  };
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry["msg"] === "listening") resolve(entry);
    });
    void exited.then((code) => reject(new Error(`node exited with ${code} before listening: ${stderr}`)));
  });
  const timeout = setTimeout(() => child.kill("SIGKILL"), options.startTimeoutMs ?? 90_000);
  try {
    const line = await listening;
    return {
      pid: child.pid!,
      child,
      ports: line["ports"] as { grpc: number; rest: number },
      listening: line,
      logs,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timeout);
  }
}
