import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * Runs the npm command in `cwd` and returns its stdout. Variables an enclosing `npm run` sets
 * (`npm_*`: workspace, prefix, lifecycle event…) are dropped so they cannot steer this npm.
 */
export async function runNpm(args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<string> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")),
  );
  try {
    const { stdout } = await execFileAsync("npm", [...args], {
      cwd,
      env: { ...env, NO_UPDATE_NOTIFIER: "1", npm_config_fund: "false", npm_config_audit: "false" },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`npm ${args.join(" ")} failed in ${cwd}: ${failure.stderr || failure.message}`);
  }
}
