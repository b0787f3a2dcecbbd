import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** A redis-server (or Sentinel) process this test started; stopped by its pid, never by name. */
export interface RedisServerProcess {
  readonly port: number;
  readonly pid: number;
  /** Its working directory (config, cluster state), removed by `stop`. */
  readonly dir: string;
  /** SIGKILL: the crash a fault test wants. */
  kill(): void;
  /** Stops it and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Ports near this stay clear of the default 6379 and its cluster bus. */
const MIN_PORT = 20_000;
const MAX_PORT = 50_000;

/** Whether `redis-server` can be run here. */
export function redisServerInstalled(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * A free loopback port whose +10000 (the Cluster bus port) is free as well. Random in a high
 * range, so parallel test files rarely race for the same one.
 */
export async function freeRedisPort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = MIN_PORT + Math.floor(Math.random() * (MAX_PORT - MIN_PORT - 10_000));
    if ((await portFree(port)) && (await portFree(port + 10_000))) return port;
  }
  throw new Error("no free port pair for redis-server");
}

export interface StartRedisServerOptions {
  /** Extra command-line arguments, e.g. `["--requirepass", "x"]`. */
  readonly args?: readonly string[];
  /** Run as a Sentinel with this sentinel.conf content (Sentinel rewrites the file, so it gets its own). */
  readonly sentinelConfig?: string;
  /** The password PING must authenticate with. */
  readonly password?: string;
  /** A port to reuse (a restarted server); a free one when absent. */
  readonly port?: number;
}

/**
 * Starts `redis-server` on a free loopback port (a Sentinel when `sentinelConfig` is set) without
 * persistence, in a fresh directory, and waits until it answers PING.
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServerProcess> {
  const port = options.port ?? (await freeRedisPort());
  const dir = mkdtempSync(join(tmpdir(), "miniodb-redis-"));
  const config = options.sentinelConfig === undefined ? undefined : join(dir, "sentinel.conf");
  if (config) writeFileSync(config, options.sentinelConfig!);
  const args = [
    ...(config ? [config] : []),
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    ...(config ? ["--sentinel"] : ["--save", "", "--appendonly", "no"]),
    ...(options.args ?? []),
  ];
  const child = spawn("redis-server", args, { cwd: dir, stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = child.pid!;
  let stopped = false;
  const server: RedisServerProcess = {
    port,
    pid,
    dir,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      server.kill();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForPing(port, options.password);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Waits until a server on `port` answers PING (any reply but an error, e.g. during loading). */
export async function waitForPing(port: number, password?: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pings(port, password)) return;
    await sleep(25);
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

function pings(port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("+PONG")) done(true);
      else if (reply.includes("-")) done(false);
    });
    socket.connect(port, "127.0.0.1", () => {
      socket.write(password ? `AUTH ${password}\r\nPING\r\n` : "PING\r\n");
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
