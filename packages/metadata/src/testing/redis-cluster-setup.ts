import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { startRedisServer, type RedisServerProcess } from "./redis-server-process.js";

/** Three cluster-enabled masters without replicas, slots spread by `redis-cli --cluster create`. */
export interface RedisClusterSetup {
  readonly nodes: readonly RedisServerProcess[];
  stop(): Promise<void>;
}

/** Starts a 3-master Redis Cluster and waits until every node reports `cluster_state:ok`. */
export async function startRedisClusterSetup(): Promise<RedisClusterSetup> {
  const nodes: RedisServerProcess[] = [];
  const stop = async () => {
    for (const node of nodes.reverse()) await node.stop();
  };
  try {
    for (let i = 0; i < 3; i++) {
      nodes.push(
        await startRedisServer({
          args: [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "2000",
          ],
        }),
      );
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await promisify(execFile)("redis-cli", [
      "--cluster",
      "create",
      ...addresses,
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    for (const node of nodes) await waitForClusterOk(node.port);
    return { nodes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForClusterOk(port: number, timeoutMs = 20_000): Promise<void> {
  const client = new Redis({ port, host: "127.0.0.1" });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const info = (await client.call("CLUSTER", "INFO")) as string;
      if (info.includes("cluster_state:ok")) return;
      await sleep(100);
    }
    throw new Error(`cluster node ${port} did not reach cluster_state:ok in ${timeoutMs} ms`);
  } finally {
    client.disconnect();
  }
}
