import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";

/** A host and port of a Redis server or Sentinel. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

/** Settings of every mode. Defaults favour failing fast over waiting for a server that is down. */
export interface RedisConnectionOptions {
  /** Password (and ACL user) of the data nodes. */
  readonly password?: string;
  readonly username?: string;
  /** Give up a connection attempt after this long. */
  readonly connectTimeoutMs?: number;
  /** Fail a command (`unavailable`) that has no reply after this long, queued time included. */
  readonly commandTimeoutMs?: number;
  /**
   * Reconnection attempts a command waits through while the connection is down before it fails
   * `unavailable`. Small, so callers learn quickly; the client keeps reconnecting in the background.
   */
  readonly maxRetriesPerRequest?: number;
  /** Upper bound of the delay between reconnection attempts (it grows 50 ms per attempt). */
  readonly maxReconnectDelayMs?: number;
  /** Connection errors the client reports outside any command (commands fail with them anyway). */
  readonly onError?: (error: Error) => void;
}

export type RedisClientOptions = RedisConnectionOptions &
  (
    | { readonly mode: "standalone"; readonly host: string; readonly port: number; readonly db?: number }
    | {
        readonly mode: "sentinel";
        /** The Sentinel `master_name` of the monitored master. */
        readonly masterName: string;
        readonly sentinels: readonly RedisAddress[];
        /** Password of the Sentinels themselves (`requirepass` in sentinel.conf), if any. */
        readonly sentinelPassword?: string;
        readonly db?: number;
      }
    | { readonly mode: "cluster"; readonly nodes: readonly RedisAddress[] }
  );

/**
 * Builds the ioredis client for a mode: `Redis` for standalone and Sentinel (which asks the
 * Sentinels for the current master on every reconnect, so it follows a failover), `Cluster` for
 * Cluster (seed nodes; it discovers the rest). The client connects in the background; pass it to
 * `RedisMetadataStore.create`, which owns and closes it.
 */
export function createRedisClient(options: RedisClientOptions): Redis | Cluster {
  const common = commonOptions(options);
  let client: Redis | Cluster;
  switch (options.mode) {
    case "standalone":
      client = new Redis({ ...common, host: options.host, port: options.port, db: options.db ?? 0 });
      break;
    case "sentinel":
      client = new Redis({
        ...common,
        name: options.masterName,
        sentinels: options.sentinels.map(({ host, port }) => ({ host, port })),
        ...(options.sentinelPassword === undefined ? {} : { sentinelPassword: options.sentinelPassword }),
        sentinelRetryStrategy: common.retryStrategy,
        db: options.db ?? 0,
      });
      break;
    case "cluster": {
      const { retryStrategy, ...redisOptions } = common;
      const clusterOptions: ClusterOptions = {
        redisOptions,
        clusterRetryStrategy: retryStrategy,
        slotsRefreshTimeout: options.connectTimeoutMs ?? 2000,
      };
      client = new Cluster(
        options.nodes.map(({ host, port }) => ({ host, port })),
        clusterOptions,
      );
      break;
    }
  }
  client.on("error", options.onError ?? ignoreError);
  return client;
}

/**
 * Without a listener ioredis prints every reconnection error to the console; the commands that
 * fail meanwhile carry the same errors to their callers.
 */
function ignoreError(): void {
  // Reported through the failing commands instead.
}

function commonOptions(
  options: RedisConnectionOptions,
): RedisOptions & { retryStrategy: (times: number) => number } {
  const maxDelay = options.maxReconnectDelayMs ?? 1000;
  return {
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.username === undefined ? {} : { username: options.username }),
    connectTimeout: options.connectTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs ?? 5000,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 2,
    retryStrategy: (times: number) => Math.min(times * 50, maxDelay),
  };
}
