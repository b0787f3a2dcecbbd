import type { Cluster, Redis } from "ioredis";

/** Connections of a client now. */
export interface RedisConnectionCounts {
  readonly active: number;
  readonly idle: number;
}

/**
 * Connections of an ioredis client: a ready connection with commands awaiting replies is active,
 * a ready one without is idle; connections that are down count as neither. A Cluster client has
 * one connection per node it talks to.
 */
export function redisConnections(client: Redis | Cluster): RedisConnectionCounts {
  const connections: Redis[] = isCluster(client) ? client.nodes("all") : [client];
  let active = 0;
  let idle = 0;
  for (const connection of connections) {
    if (connection.status !== "ready") continue;
    if (connection.commandQueue.length > 0) active++;
    else idle++;
  }
  return { active, idle };
}

function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as Cluster).isCluster === true;
}
