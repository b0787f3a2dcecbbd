import { z } from "zod";

/** One S3-compatible endpoint (MinIO, AWS S3…): the primary pool or the backup pool. */
export const s3PoolSchema = z
  .object({
    /** `http(s)://host:port`. */
    endpoint: z.url({ protocol: /^https?$/ }),
    bucket: z.string().min(3).max(63).default("miniodb"),
    access_key_id: z.string().min(1),
    secret_access_key: z.string().min(1),
    region: z.string().min(1).default("us-east-1"),
    /** `host/bucket/key` addressing, which MinIO needs. */
    path_style: z.boolean().default(true),
    /** PEM file of extra CAs trusted for an https endpoint. */
    ca_file: z.string().min(1).optional(),
    /** Prepended to every object key, so deployments can share a bucket. */
    key_prefix: z.string().default(""),
    /** Create the bucket on first use when it is missing. */
    create_bucket: z.boolean().default(true),
    request_timeout_ms: z.number().int().min(100).max(600_000).default(30_000),
    /** Bodies at least this large are uploaded in parts. */
    multipart_threshold_bytes: z
      .number()
      .int()
      .min(5 * 1024 * 1024)
      .default(16 * 1024 * 1024),
  })
  .strict();

export type S3PoolConfig = z.output<typeof s3PoolSchema>;

/**
 * Where data files live: `local` (a directory under `node.data_dir`) or `s3` (the `s3` pool, and
 * the `backup` pool when configured, replicated and failed over to).
 */
export const storageSchema = z
  .object({
    backend: z.enum(["local", "s3"]).default("local"),
    s3: s3PoolSchema.optional(),
    backup: s3PoolSchema.optional(),
    /** How often the backup pool is compared with the primary and completed. 0 turns it off. */
    reconcile_interval_seconds: z.number().int().min(0).max(86_400).default(300),
    /** How often a failed primary is probed to bring traffic back. */
    probe_interval_seconds: z.number().min(0.1).max(3_600).default(5),
  })
  .strict()
  .superRefine((storage, context) => {
    if (storage.backend === "s3" && !storage.s3)
      context.addIssue({
        code: "custom",
        path: ["s3"],
        message: "storage.backend s3 needs a storage.s3 block",
      });
    if (storage.backend === "local" && storage.backup)
      context.addIssue({
        code: "custom",
        path: ["backup"],
        message: "a backup pool needs storage.backend s3 (the local store has no pool)",
      });
  })
  .prefault({});
