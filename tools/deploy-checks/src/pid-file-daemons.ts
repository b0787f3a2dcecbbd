import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * The daemons a deployment under `prefix` started with pid files in `dirs` (relative to the
 * prefix): nodes started by their control script, Redis. A test stops them at its end, whatever
 * state the deployment reached. Only processes still belonging to the deployment are signalled
 * (on Linux: their command line or working directory is under the prefix), never a process that
 * took over the pid of one that is gone.
 */
export class PidFileDaemons {
  readonly #prefix: string;
  readonly #dirs: readonly string[];

  constructor(prefix: string, dirs: readonly string[]) {
    this.#prefix = prefix;
    this.#dirs = dirs;
  }

  /** Pids of the deployment's daemons running now. */
  pids(): number[] {
    const pids: number[] = [];
    for (const dir of this.#dirs) {
      const path = join(this.#prefix, dir);
      for (const name of listOrNone(path)) {
        if (!name.endsWith(".pid")) continue;
        const pid = readPid(join(path, name));
        if (pid !== undefined && this.#ours(pid)) pids.push(pid);
      }
    }
    return pids;
  }

  /**
   * Stops the daemons: SIGTERM (Redis saves, nodes flush), SIGKILL for those still running after
   * `graceMs`; resolves once they are gone, so their directories can be removed.
   */
  async stop(graceMs = 15_000): Promise<void> {
    let alive = this.pids();
    signalAll(alive, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while ((alive = alive.filter(isAlive)).length > 0 && Date.now() < deadline) await sleep(100);
    signalAll(alive, "SIGKILL");
    for (let attempt = 0; (alive = alive.filter(isAlive)).length > 0 && attempt < 100; attempt++)
      await sleep(50);
  }

  /** Kills the daemons at once (SIGKILL), without waiting: for a test process that is terminated. */
  killNow(): void {
    signalAll(this.pids(), "SIGKILL");
  }

  #ours(pid: number): boolean {
    if (process.platform !== "linux") return isAlive(pid);
    const under = `${this.#prefix}/`;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(under)) return true;
      return `${readlinkSync(`/proc/${pid}/cwd`)}/`.startsWith(under);
    } catch {
      return false; // gone
    }
  }
}

function listOrNone(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined; // removed meanwhile
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}
