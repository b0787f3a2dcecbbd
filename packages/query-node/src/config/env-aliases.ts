/**
 * Environment variables of the original deployment (`REDIS_*`, `MINIO_*`, `MINIO_BACKUP_*`),
 * mapped onto configuration keys. They override the YAML file and are overridden by `MINIODB_*`
 * variables and flags. `MINIO_ENDPOINT` selects the S3 backend; `REDIS_HOST` or `REDIS_MODE`
 * selects the Redis metadata store.
 */
interface EnvAlias {
  readonly path: string;
  /** How the text is read: as is (default), as a number, or as a comma-separated list. */
  readonly type?: "number" | "list";
  /** A second setting the variable implies. */
  readonly implies?: readonly [string, string];
}

export const ENV_ALIASES: Readonly<Record<string, EnvAlias>> = {
  REDIS_HOST: { path: "metadata.redis.host", implies: ["metadata.backend", "redis"] },
  REDIS_PORT: { path: "metadata.redis.port", type: "number" },
  REDIS_DB: { path: "metadata.redis.db", type: "number" },
  REDIS_USERNAME: { path: "metadata.redis.username" },
  REDIS_PASSWORD: { path: "metadata.redis.password" },
  REDIS_MODE: { path: "metadata.redis.mode", implies: ["metadata.backend", "redis"] },
  REDIS_MASTER_NAME: { path: "metadata.redis.master_name" },
  REDIS_SENTINEL_ADDRS: { path: "metadata.redis.sentinel_addrs", type: "list" },
  REDIS_SENTINEL_PASSWORD: { path: "metadata.redis.sentinel_password" },
  REDIS_CLUSTER_ADDRS: { path: "metadata.redis.cluster_addrs", type: "list" },
  MINIO_ENDPOINT: { path: "storage.s3.endpoint", implies: ["storage.backend", "s3"] },
  MINIO_ACCESS_KEY_ID: { path: "storage.s3.access_key_id" },
  MINIO_SECRET_ACCESS_KEY: { path: "storage.s3.secret_access_key" },
  MINIO_BUCKET: { path: "storage.s3.bucket" },
  MINIO_REGION: { path: "storage.s3.region" },
  MINIO_BACKUP_ENDPOINT: { path: "storage.backup.endpoint" },
  MINIO_BACKUP_ACCESS_KEY_ID: { path: "storage.backup.access_key_id" },
  MINIO_BACKUP_SECRET_ACCESS_KEY: { path: "storage.backup.secret_access_key" },
  MINIO_BACKUP_BUCKET: { path: "storage.backup.bucket" },
  MINIO_BACKUP_REGION: { path: "storage.backup.region" },
};

/** `[dotted key, value]` pairs for the aliases present in `env`. */
export function aliasedSettings(env: Readonly<Record<string, string | undefined>>): Array<[string, unknown]> {
  const settings: Array<[string, unknown]> = [];
  for (const [name, alias] of Object.entries(ENV_ALIASES)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    settings.push([alias.path, readAlias(value, alias.type)]);
    if (alias.implies) settings.push([...alias.implies]);
  }
  return settings;
}

function readAlias(text: string, type: EnvAlias["type"]): unknown {
  if (type === "list")
    return text
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "");
  if (type === "number" && /^\d+$/.test(text.trim())) return Number(text);
  return text;
}
