/** Facts about one stored object. */
export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** Opaque version tag: changes whenever the object is rewritten. */
  readonly etag: string;
  readonly lastModified: Date;
}

/** A byte range, `end` exclusive; an absent `end` reads to the end of the object. */
export interface ByteRange {
  readonly start: number;
  readonly end?: number;
}

/**
 * Port: where Parquet files and backups live (local disk, S3, a primary/backup pool).
 *
 * Keys are `/`-separated relative paths built by the object-key module. Writes are atomic: a
 * reader sees the old object or the whole new one, never a part. Missing objects are reported as
 * `not_found`; an unreachable store as `unavailable`.
 */
export interface ObjectStore {
  /** Stores `body` under `key`, replacing any object there. */
  put(key: string, body: Uint8Array): Promise<ObjectInfo>;
  /** Reads a whole object, or a range of it. */
  get(key: string, range?: ByteRange): Promise<Uint8Array>;
  /** Facts about `key`, or undefined when it does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with `prefix`, in ascending key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Removes `key`; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections and handles. */
  close(): Promise<void>;
}
