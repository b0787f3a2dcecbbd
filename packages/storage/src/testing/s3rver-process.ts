import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { once } from "node:events";

/** s3rver's command-line entry (a development dependency: resolved only when a test starts it). */
function s3rverBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("s3rver/package.json")), "bin", "s3rver.js");
}
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * A real s3rver process on a loopback port with its own data directory, for integration tests.
 *
 * The first start binds port 0 and reads the chosen port from s3rver's banner, so there is no
 * race for a free port; `restart()` binds the same port and directory again, as a crashed MinIO
 * coming back would. `kill()` stops the process by pid with SIGKILL (a crash, not a shutdown).
 * s3rver runs with `--openssl-legacy-provider`: without it, paged listings fail on Node ≥ 17.
 */
export class S3rverProcess {
  readonly directory: string;
  #port: number;
  #child: ChildProcess | undefined;
  #tls: { key: string; cert: string } | undefined;
  #log = "";

  private constructor(directory: string, port: number, tls?: { key: string; cert: string }) {
    this.directory = directory;
    this.#port = port;
    this.#tls = tls;
  }

  static async start(options: { tls?: { key: string; cert: string } } = {}): Promise<S3rverProcess> {
    const server = new S3rverProcess(mkdtempSync(join(tmpdir(), "miniodb-s3rver-")), 0, options.tls);
    await server.restart();
    return server;
  }

  get port(): number {
    return this.#port;
  }

  get endpoint(): string {
    return `${this.#tls ? "https" : "http"}://127.0.0.1:${this.#port}`;
  }

  /** The tail of s3rver's request log (method, path and query of each request answered). */
  get log(): string {
    return this.#log;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts the process (again) on the same port and data directory. */
  async restart(): Promise<void> {
    if (this.#child) throw new Error("s3rver is already running");
    const tlsArgs = this.#tls ? ["--key", this.#tls.key, "--cert", this.#tls.cert] : [];
    const args = ["--openssl-legacy-provider", s3rverBin(), "-d", this.directory, "-a", "127.0.0.1"];
    const child = spawn(process.execPath, [...args, "-p", String(this.#port), ...tlsArgs], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    this.#child = child;
    child.once("exit", () => running.delete(child));
    this.#port = await readPort(child);
    child.stdout?.on("data", (chunk: Buffer) => (this.#log = (this.#log + chunk.toString()).slice(-65_536)));
  }

  /** Kills the process by pid with SIGKILL and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child?.pid) return;
    this.#child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      process.kill(child.pid, "SIGKILL");
      await exited;
    }
  }

  /** Kills the process and removes its data directory. */
  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.directory, { recursive: true, force: true });
  }
}

async function readPort(child: ChildProcess): Promise<number> {
  let output = "";
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`s3rver did not start: ${output}`)), 15_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on [^\s:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => fail(new Error(`s3rver exited with ${code}: ${output}`)));
  });
}
