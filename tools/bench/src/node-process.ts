import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../../packages/query-node/src/bin/miniodb.ts", import.meta.url));

export interface BenchNode {
  readonly child: ChildProcess;
  readonly ports: { grpc: number; rest: number };
  stop(): Promise<void>;
}

/** Starts `miniodb serve` on free ports with the given environment and waits until it listens. */
export async function startNode(env: Record<string, string>): Promise<BenchNode> {
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
      "--log-level",
      "warn",
    ],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const ports = await new Promise<{ grpc: number; rest: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const entry = JSON.parse(line) as { msg?: string; ports?: { grpc: number; rest: number } };
      if (entry.msg === "listening" && entry.ports) resolve(entry.ports);
    });
    child.once("exit", (code) => reject(new Error(`node exited with ${code}`)));
  });
  return {
    child,
    ports,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Peak resident set size of a process so far, in MiB (Linux `VmHWM`). */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kib / 1024);
}
