/**
 * Environment variables of the original deployment (`REDIS_*`, `MINIO_*`, `MINIO_BACKUP_*`),
 * mapped onto configuration keys. They override the YAML file and are overridden by `MINIODB_*`
 * variables and flags. Setting `MINIO_ENDPOINT` selects the S3 backend; `REDIS_HOST` (or any sentinel or
 * cluster address) selects the Redis metadata store.
 */
export const ENV_ALIASES: Readonly<
  Record<string, { path: string; list?: boolean; implies?: [string, string] }>
> = {
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
    settings.push([alias.path, alias.list ? value.split(",").map((part) => part.trim()) : value]);
    if (alias.implies) settings.push(alias.implies);
  }
  return settings;
}
