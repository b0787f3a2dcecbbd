import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../with-retry.js";

/** Where and how an S3ObjectStore connects. Only `endpoint`, `bucket` and the keys are required. */
export interface S3ObjectStoreOptions {
  /** `http://host:port` or `https://host:port` of the S3-compatible server (MinIO, AWS, ...). */
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** For temporary credentials. */
  readonly sessionToken?: string;
  /** Default `us-east-1`, which MinIO accepts whatever its own setting. */
  readonly region?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`; MinIO needs it. Default true. */
  readonly forcePathStyle?: boolean;
  /** PEM file of extra CAs trusted for an https endpoint (a private CA), besides the system roots. */
  readonly caFile?: string;
  /** Prepended to every key, so that several deployments or test runs can share one bucket. */
  readonly keyPrefix?: string;
  /** Create the bucket on first use when it is missing. Default true; turn off when the credentials may not create buckets. */
  readonly createBucket?: boolean;
  /** Time allowed to open a connection. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Time allowed without progress on a request's socket. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Retries of unavailable, throttled and timed-out requests. Default 3 attempts, 100 ms → 2 s backoff. */
  readonly retry?: RetryPolicy;
  /** Bodies of at least this size go up as multipart uploads. Default 16 MiB; S3's floor for parts is 5 MiB. */
  readonly multipartThresholdBytes?: number;
  /** Size of each multipart part. Default 8 MiB, at least 5 MiB. */
  readonly multipartPartSizeBytes?: number;
  /** Parts uploaded at once. Default 4. */
  readonly multipartConcurrency?: number;
  /** Keys per listing request (S3's maximum is 1000). Default 1000. */
  readonly listPageSize?: number;
  /** Sockets kept per endpoint. Default 50. */
  readonly maxSockets?: number;
}

export const S3_MIN_PART_SIZE = 5 * 1024 * 1024;

/** The options with every default filled in. */
export type ResolvedS3Options = Required<Omit<S3ObjectStoreOptions, "sessionToken" | "caFile">> &
  Pick<S3ObjectStoreOptions, "sessionToken" | "caFile">;

export function resolveS3Options(options: S3ObjectStoreOptions): ResolvedS3Options {
  return {
    region: "us-east-1",
    forcePathStyle: true,
    keyPrefix: "",
    createBucket: true,
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 30_000,
    retry: DEFAULT_RETRY_POLICY,
    multipartThresholdBytes: 16 * 1024 * 1024,
    multipartPartSizeBytes: 8 * 1024 * 1024,
    multipartConcurrency: 4,
    listPageSize: 1000,
    maxSockets: 50,
    ...withoutUndefined(options),
  };
}

/** Drops keys set to undefined, so that they do not override defaults; required keys stay. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
