import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../../packages/query-node/src/bin/miniodb.ts", import.meta.url));

export interface BenchNode {
  readonly child: ChildProcess;
  readonly ports: { grpc: number; rest: number; cluster?: number };
  stop(): Promise<void>;
}

/**
 * Starts `miniodb serve` on free ports with the given environment and waits until it listens;
 * `serveArgs` go to `serve` (e.g. `--role worker`), `nodeArgs` to Node.js. A worker's `ports` hold
 * its `cluster` port only. `cli` is the entry point to run: this checkout's by default, another's
 * to compare two builds.
 */
export async function startNode(
  env: Record<string, string>,
  nodeArgs: string[] = [],
  serveArgs: string[] = [],
  cli: string = CLI,
): Promise<BenchNode> {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      "--import",
      "tsx",
      "--conditions=@miniodb/source",
      cli,
      "serve",
      "--grpc-port",
      "0",
      "--rest-port",
      "0",
      ...serveArgs,
    ],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout! });
  const ports = await new Promise<BenchNode["ports"]>((resolve, reject) => {
    lines.on("line", (line) => {
      const entry = JSON.parse(line) as { msg?: string; ports?: BenchNode["ports"] };
      if (entry.msg === "listening" && entry.ports) resolve(entry.ports);
    });
    child.once("exit", (code) => reject(new Error(`node exited with ${code}`)));
  });
  // The rest of the node's log (an audit line per write) is drained unread: parsing it cost the
  // load generator CPU on the node's machine.
  lines.close();
  child.stdout!.resume();
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

/** CPU seconds (user + system) a process has used so far: its main thread, and all other threads. */
export function cpuSeconds(pid: number): { main: number; others: number } {
  const total = ticksOf(readFileSync(`/proc/${pid}/stat`, "utf8"));
  const main = ticksOf(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8"));
  return { main: main / CLOCK_TICKS_PER_SECOND, others: (total - main) / CLOCK_TICKS_PER_SECOND };
}

/** `USER_HZ`, the unit of the times in `/proc/<pid>/stat`; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of a `/proc/.../stat` line (fields 14 and 15; the command name may hold spaces). */
function ticksOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Peak resident set size of a process so far, in MiB (Linux `VmHWM`). */
export function peakRssMiB(pid: number): number {
  return statusMiB(pid, "VmHWM");
}

/** Current resident set size of a process, in MiB (Linux `VmRSS`). */
export function rssMiB(pid: number): number {
  return statusMiB(pid, "VmRSS");
}

function statusMiB(pid: number, field: "VmHWM" | "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return Math.round(kib / 1024);
}
