import { execFile, spawnSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
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

/** Runs an Ansible command in deploy/ansible; never throws on a non-zero exit. */
export async function runAnsible(
  command: string,
  args: readonly string[],
  timeoutMs = 300_000,
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, [...args], {
      cwd: ANSIBLE_DIR,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
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
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof failure.code === "number" ? failure.code : 1,
      output: `${failure.stdout ?? ""}${failure.stderr ?? failure.message}`,
    };
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
