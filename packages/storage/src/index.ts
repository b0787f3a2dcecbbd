export type { LocalObjectStoreOptions } from "./local-object-store.js";
export { LocalObjectStore } from "./local-object-store.js";
export type { S3ObjectStoreOptions } from "./s3/s3-object-store-options.js";
export { S3ObjectStore } from "./s3/s3-object-store.js";
export type { ConnectionCounts } from "./s3/create-s3-client.js";
export type { RetryPolicy } from "./with-retry.js";
export { DEFAULT_RETRY_POLICY } from "./with-retry.js";
export type { ReplicationLag } from "./pool/key-sync-queue.js";
export type {
  PrimaryBackupPoolOptions,
  PrimaryBackupPoolStatus,
} from "./pool/primary-backup-pool-options.js";
export { PrimaryBackupPool } from "./pool/primary-backup-pool.js";
