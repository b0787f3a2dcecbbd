import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./config-keys.js";

export const ANSIBLE_DIR = join(REPO_ROOT, "deploy/ansible");

/** Whether ansible-playbook and ansible-lint are on the PATH (`apt-get install -y ansible ansible-lint`). */
export function ansibleInstalled(): boolean {
  return ["ansible-playbook", "ansible-lint"].every(
    (command) => spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0,
  );
}

/** In CI a missing Ansible fails the tests; elsewhere they are skipped with this reason. */
export function ansibleTestSkip(): false | string {
  if (ansibleInstalled()) return false;
  const message = "ansible-playbook/ansible-lint not installed (apt-get install -y ansible ansible-lint)";
  if (process.env["CI"]) throw new Error(`${message}: CI is set, so this fails instead of skipping`);
  process.stderr.write(`skipping the Ansible tests: ${message}\n`);
  return message;
}

export interface CommandResult {
  readonly code: number;
  readonly output: string;
}

export interface AnsibleRunOptions {
  /** The run is stopped (its whole process group) after this long. Default 5 minutes. */
  readonly timeoutMs?: number;
  /** Stops the run when aborted (e.g. by a test's cleanup while a timed-out run goes on). */
  readonly signal?: AbortSignal;
}

/** Process groups of the Ansible runs going on (see killAnsibleRuns). */
const runningGroups = new Set<number>();

/**
 * Runs an Ansible command in deploy/ansible, in a process group of its own so that stopping it
 * (timeout, abort) also stops the processes it forked; never throws on a non-zero exit.
 */
export async function runAnsible(
  command: string,
  args: readonly string[],
  { timeoutMs = 300_000, signal }: AnsibleRunOptions = {},
): Promise<CommandResult> {
  const child = spawnAnsible(command, args);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const group = child.pid;
  if (group !== undefined) runningGroups.add(group);
  let stopped = "";
  const stop = (why: string) => {
    if (stopped || group === undefined) return;
    stopped = why;
    killGroup(group, "SIGTERM");
    setTimeout(() => killGroup(group, "SIGKILL"), 5_000).unref();
  };
  const timer = setTimeout(() => stop(`stopped: timed out after ${timeoutMs} ms`), timeoutMs);
  const onAbort = () => stop("stopped: aborted");
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  try {
    const code = await new Promise<number>((resolve) => {
      child.once("error", (error) => {
        stderr.push(Buffer.from(error.message));
        resolve(1);
      });
      child.once("close", (exitCode: number | null) => resolve(exitCode ?? 1));
    });
    const output = Buffer.concat(stdout).toString() + Buffer.concat(stderr).toString();
    return {
      code: stopped ? (code === 0 ? 1 : code) : code,
      output: stopped ? `${output}\n${stopped}` : output,
    };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if (group !== undefined) runningGroups.delete(group);
  }
}

function spawnAnsible(command: string, args: readonly string[]) {
  return spawn(command, [...args], {
    cwd: ANSIBLE_DIR,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ANSIBLE_NOCOLOR: "1",
      ANSIBLE_FORCE_COLOR: "0",
      ANSIBLE_LOCAL_TEMP: "/tmp",
      // An inventory Ansible cannot read is an error, not a warning followed by an empty run.
      ANSIBLE_INVENTORY_UNPARSED_FAILED: "true",
      ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: "true",
    },
  });
}

/**
 * Kills every Ansible run still going, with the processes it forked (SIGKILL, without waiting):
 * for a test process that is being terminated.
 */
export function killAnsibleRuns(): void {
  for (const group of runningGroups) killGroup(group, "SIGKILL");
}

function killGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // the group is gone
  }
}

/** `{host: {ok, changed, failed, ...}}` from a PLAY RECAP. */
export function playRecap(output: string): Record<string, Record<string, number>> {
  const recap = output.slice(output.lastIndexOf("PLAY RECAP"));
  const hosts: Record<string, Record<string, number>> = {};
  for (const line of recap.split("\n").slice(1)) {
    const match = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    hosts[match[1]!] = Object.fromEntries(
      [...match[2]!.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
    );
  }
  return hosts;
}
