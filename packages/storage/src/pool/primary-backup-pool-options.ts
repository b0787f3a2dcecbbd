import type { ObjectStore } from "@miniodb/core";
import type { ReplicationLag } from "./key-sync-queue.js";

export interface PrimaryBackupPoolOptions {
  readonly primary: ObjectStore;
  /** Without a backup the pool is just the primary. */
  readonly backup?: ObjectStore;
  /** Objects copied to the backup at once. Default 4. */
  readonly replicationConcurrency?: number;
  /** Pause after a failed copy before trying again. Default 1 s. */
  readonly replicationRetryDelayMs?: number;
  /** How often the backup's listing is compared with the primary's; 0 disables it. Default 5 min. */
  readonly reconcileIntervalMs?: number;
  /** How often a failed primary is probed while the backup serves. Default 5 s. */
  readonly probeIntervalMs?: number;
  /** Longest wait for one primary call before failing over; 0 leaves it to the store's own timeouts. Default 0. */
  readonly primaryTimeoutMs?: number;
  /** Longest wait in `close()` for pending replication. Default 10 s. */
  readonly closeDrainTimeoutMs?: number;
  /** Clock for lag ages and status times; injected by tests. Default `Date.now`. */
  readonly now?: () => number;
  /** Called after every switch of the active store, e.g. to log it. */
  readonly onStateChange?: (status: PrimaryBackupPoolStatus) => void;
}

/** What a status page shows about a pool. */
export interface PrimaryBackupPoolStatus {
  /** The store serving reads and writes. */
  readonly active: "primary" | "backup";
  /** When `active` last changed (or the pool was created). */
  readonly since: Date;
  readonly hasBackup: boolean;
  /** The primary answers again and the writes made during the outage are being copied back. */
  readonly failingBack: boolean;
  /** Primary → backup copies still to do. */
  readonly replication: ReplicationLag;
  /** Backup → primary copies of objects written or deleted while the backup served. */
  readonly copyBack: ReplicationLag;
  /** The last error that made the pool fail over, or that a reconcile hit. */
  readonly lastError?: {
    readonly store: "primary" | "backup";
    readonly code: string;
    readonly message: string;
    readonly at: Date;
  };
  /** The last finished reconcile, and how many objects it queued for copying. */
  readonly lastReconcile?: { readonly at: Date; readonly queued: number };
  readonly closed: boolean;
}
