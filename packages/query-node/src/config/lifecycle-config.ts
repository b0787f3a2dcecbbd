import { z } from "zod";

/** Background data lifecycle: compaction, retention, deletion of replaced objects, backups. */
export const lifecycleSchema = z
  .object({
    /** How often the jobs look for work; 0 runs them only on demand. */
    interval_seconds: z.number().int().min(0).max(86_400).default(60),
    /** Size compacted files aim for. */
    compaction_target_file_bytes: z
      .number()
      .int()
      .min(1 << 20)
      .default(128 * 1024 * 1024),
    /** Small files a (day partition, node) needs before they are merged. */
    compaction_min_small_files: z.number().int().min(2).max(10_000).default(8),
    /** How long an object no manifest lists any more is kept for queries still reading it. */
    delete_grace_seconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(600),
    /** How often a metadata backup is taken; 0 takes them only on demand. */
    backup_interval_seconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(3_600),
    /** Metadata backups older than this are deleted; their data files are kept until then. */
    backup_keep_days: z.number().int().min(1).max(3_650).default(7),
  })
  .strict()
  .prefault({});

export type LifecycleConfig = z.output<typeof lifecycleSchema>;
