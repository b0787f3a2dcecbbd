import { Redis } from "ioredis";
import { setTimeout as sleep } from "node:timers/promises";
import { startRedisServer, type RedisServerProcess } from "./redis-server-process.js";

/** A master, one replica and one Sentinel (quorum 1), with passwords on data nodes and Sentinel. */
export interface RedisSentinelSetup {
  readonly masterName: string;
  readonly master: RedisServerProcess;
  readonly replica: RedisServerProcess;
  readonly sentinel: RedisServerProcess;
  /** Password of master and replica. */
  readonly password: string;
  readonly sentinelPassword: string;
  /** Waits until the Sentinel reports a master other than `port` (after a failover). */
  waitForNewMaster(port: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts master + replica + Sentinel and waits until the replica confirms writes (so a test can
 * count on WAIT and on nothing being lost in a failover) and the Sentinel has discovered it (so it can fail over). Sentinel
 * declares the master down after 1 s without replies, so a failover after killing the master
 * takes a few seconds.
 */
export async function startRedisSentinelSetup(masterName = "mymaster"): Promise<RedisSentinelSetup> {
  const password = "data-secret";
  const sentinelPassword = "sentinel-secret";
  const auth = ["--requirepass", password, "--masterauth", password];
  const started: RedisServerProcess[] = [];
  const stop = async () => {
    for (const server of started.reverse()) await server.stop();
  };
  try {
    // Without the default 5 s delay before a diskless full sync, the replica is in sync at once.
    const master = await startRedisServer({ args: [...auth, "--repl-diskless-sync-delay", "0"], password });
    started.push(master);
    const replica = await startRedisServer({
      args: [...auth, "--replicaof", "127.0.0.1", String(master.port)],
      password,
    });
    started.push(replica);
    const sentinelConfig = [
      `requirepass ${sentinelPassword}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
      `sentinel auth-pass ${masterName} ${password}`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 10000`,
      "",
    ].join("\n");
    const sentinel = await startRedisServer({ sentinelConfig, password: sentinelPassword });
    started.push(sentinel);
    // After a diskless sync the master streams writes to the replica only once the replica has
    // acknowledged for the first time (up to a second later), so wait until a write is confirmed.
    const masterAdmin = new Redis({ port: master.port, host: "127.0.0.1", password });
    try {
      await until(10_000, "the replica to confirm a write", async () => {
        await masterAdmin.set("test-setup:replication-check", "1");
        const confirmed = (await masterAdmin.wait(1, 200)) === 1;
        await masterAdmin.del("test-setup:replication-check");
        return confirmed;
      });
    } finally {
      masterAdmin.disconnect();
    }
    const admin = new Redis({
      port: sentinel.port,
      host: "127.0.0.1",
      password: sentinelPassword,
      lazyConnect: true,
    });
    try {
      await until(10_000, "the Sentinel to see the replica", async () => {
        const replicas = (await admin.call("SENTINEL", "REPLICAS", masterName)) as string[][];
        return replicas.some((fields) => fieldOf(fields, "flags") === "slave");
      });
    } finally {
      admin.disconnect();
    }
    const waitForNewMaster = async (port: number, timeoutMs = 20_000): Promise<number> => {
      const client = new Redis({ port: sentinel.port, host: "127.0.0.1", password: sentinelPassword });
      try {
        let current = port;
        await until(timeoutMs, "a failover", async () => {
          const [, masterPort] = (await client.call(
            "SENTINEL",
            "GET-MASTER-ADDR-BY-NAME",
            masterName,
          )) as string[];
          current = Number(masterPort);
          return current !== port;
        });
        return current;
      } finally {
        client.disconnect();
      }
    };
    return { masterName, master, replica, sentinel, password, sentinelPassword, waitForNewMaster, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function fieldOf(fields: readonly string[], name: string): string | undefined {
  const index = fields.indexOf(name);
  return index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined;
}

async function until(timeoutMs: number, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
