import type { Logger } from "pino";
import type { ObjectStore } from "@miniodb/core";
import {
  LocalObjectStore,
  PrimaryBackupPool,
  S3ObjectStore,
  type PrimaryBackupPoolStatus,
} from "@miniodb/storage";
import type { S3PoolConfig } from "./config/storage-config.js";
import type { StoragePoolSource } from "./observability/node-stats.js";
import type { ResolvedConfig } from "./config/node-identity.js";

export interface NodeObjectStore {
  readonly store: ObjectStore;
  /** Where data files live, for logs and status: `local`, `s3`, or `s3+backup`. */
  readonly kind: "local" | "s3" | "s3+backup";
  /** The pool's state when a backup pool is configured. */
  readonly poolStatus?: () => PrimaryBackupPoolStatus;
  /** Each store behind `store` on its own, for health probes and connection counts. */
  readonly pools: readonly StoragePoolSource[];
  /** The backup pool alone, when one is configured (metadata backups and data restores read it). */
  readonly backup?: ObjectStore;
  /** The primary pool alone, when a backup pool is configured (repairs write to it). */
  readonly primary?: ObjectStore;
}

/** Any key does: a probe asks whether the store answers, not what it holds. */
const PROBE_KEY = "health/probe";

function poolSource(name: StoragePoolSource["name"], store: S3ObjectStore): StoragePoolSource {
  return {
    name,
    bucket: store.bucket,
    connections: () => store.connections(),
    probe: async () => void (await store.head(PROBE_KEY)),
  };
}

/** The object store `storage` configures: a local directory, an S3 pool, or two with failover. */
export async function createObjectStore(
  config: ResolvedConfig,
  localDirectory: string,
  logger: Logger,
): Promise<NodeObjectStore> {
  const { storage } = config;
  if (storage.backend === "local") {
    const local = await LocalObjectStore.create({ root: localDirectory });
    const pool: StoragePoolSource = {
      name: "local",
      bucket: "local",
      connections: () => ({ active: 0, idle: 0 }),
      probe: async () => void (await local.head(PROBE_KEY)),
    };
    return { store: local, kind: "local", pools: [pool] };
  }
  const primary = await S3ObjectStore.create(s3Options(storage.s3!));
  if (!storage.backup) return { store: primary, kind: "s3", pools: [poolSource("primary", primary)] };
  const backup = await S3ObjectStore.create(s3Options(storage.backup));
  const pool = new PrimaryBackupPool({
    primary,
    backup,
    reconcileIntervalMs: storage.reconcile_interval_seconds * 1000,
    probeIntervalMs: storage.probe_interval_seconds * 1000,
    onStateChange: (status) =>
      logger.warn({ active: status.active, last_error: status.lastError?.message }, "storage pool switched"),
  });
  return {
    store: pool,
    kind: "s3+backup",
    poolStatus: () => pool.status(),
    pools: [poolSource("primary", primary), poolSource("backup", backup)],
    backup,
    primary,
  };
}

function s3Options(pool: S3PoolConfig) {
  return {
    endpoint: pool.endpoint,
    bucket: pool.bucket,
    accessKeyId: pool.access_key_id,
    secretAccessKey: pool.secret_access_key,
    region: pool.region,
    forcePathStyle: pool.path_style,
    keyPrefix: pool.key_prefix,
    createBucket: pool.create_bucket,
    requestTimeoutMs: pool.request_timeout_ms,
    multipartThresholdBytes: pool.multipart_threshold_bytes,
    ...(pool.ca_file === undefined ? {} : { caFile: pool.ca_file }),
  };
}
