import type { S3rverProcess } from "@miniodb/storage/testing";

/**
 * The variables of the original deployment that point a node at test servers: two s3rvers as the
 * primary and backup pools, and a Redis server when given.
 */
export function backendEnv(servers: {
  primary: S3rverProcess;
  backup: S3rverProcess;
  redisPort?: number;
}): Record<string, string> {
  return {
    ...(servers.redisPort === undefined
      ? {}
      : { REDIS_HOST: "127.0.0.1", REDIS_PORT: String(servers.redisPort) }),
    MINIO_ENDPOINT: servers.primary.endpoint,
    MINIO_ACCESS_KEY_ID: "S3RVER",
    MINIO_SECRET_ACCESS_KEY: "S3RVER",
    MINIO_BUCKET: "miniodb",
    MINIO_BACKUP_ENDPOINT: servers.backup.endpoint,
    MINIO_BACKUP_ACCESS_KEY_ID: "S3RVER",
    MINIO_BACKUP_SECRET_ACCESS_KEY: "S3RVER",
    MINIO_BACKUP_BUCKET: "miniodb-backup",
  };
}
