import { startRedisServer, type RedisServerProcess } from "@miniodb/metadata/testing";
import { S3rverProcess } from "@miniodb/storage/testing";

export const PRIMARY_BUCKET = "miniodb";
export const BACKUP_BUCKET = "miniodb-backup";

/** The shared backends of a cluster, each a separate process on a free loopback port. */
export interface Backends {
  readonly redis: RedisServerProcess;
  /** The primary pool. */
  readonly primary: S3rverProcess;
  /** The backup pool, replicated from the primary. */
  readonly backup: S3rverProcess;
  /** The variables of the original deployment that point a node at them. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startBackends(): Promise<Backends> {
  const [redis, primary, backup] = await Promise.all([
    startRedisServer(),
    S3rverProcess.start(),
    S3rverProcess.start(),
  ]);
  return {
    redis,
    primary,
    backup,
    env: () => ({
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: String(redis.port),
      MINIO_ENDPOINT: primary.endpoint,
      MINIO_ACCESS_KEY_ID: "S3RVER",
      MINIO_SECRET_ACCESS_KEY: "S3RVER",
      MINIO_BUCKET: PRIMARY_BUCKET,
      MINIO_BACKUP_ENDPOINT: backup.endpoint,
      MINIO_BACKUP_ACCESS_KEY_ID: "S3RVER",
      MINIO_BACKUP_SECRET_ACCESS_KEY: "S3RVER",
      MINIO_BACKUP_BUCKET: BACKUP_BUCKET,
    }),
    stop: async () => {
      await Promise.all([redis.stop(), primary.dispose(), backup.dispose()]);
    },
  };
}
