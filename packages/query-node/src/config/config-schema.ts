import { z } from "zod";
import { authSchema, tlsSchema } from "../auth/auth-config.js";
import { lifecycleSchema } from "./lifecycle-config.js";
import { clusterSchema } from "./cluster-config.js";
import { metadataSchema } from "./metadata-config.js";
import { observabilitySchema } from "./observability-config.js";
import { storageSchema } from "./storage-config.js";

const port = z.number().int().min(0).max(65_535);

/** A DuckDB size setting such as 512MB or 2GB. */
function duckDbSize() {
  return z.string().regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "a size such as 512MB or 2GB");
}

/**
 * Every configuration key of a MinIODB node, with its default. The same keys are read from the
 * YAML file, from `MINIODB_<BLOCK>__<KEY>` environment variables and from command-line flags, in
 * that order of increasing precedence. See docs/configuration.md.
 */
export const configSchema = z
  .object({
    node: z
      .object({
        /** Stable identity of this node in the cluster; defaults to the host name. */
        id: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "letters, digits, '_', '.', '-'; at most 63")
          .optional(),
        /** Where the embedded stores, the WAL and scratch files live. */
        data_dir: z.string().min(1).default("./data"),
        /** all-in-one (one process, the default), query (public API, coordinator) or worker. */
        role: z.enum(["all-in-one", "query", "worker"]).default("all-in-one"),
      })
      .strict()
      .prefault({}),
    server: z
      .object({
        /** Interface both ports bind to. */
        host: z.string().min(1).default("127.0.0.1"),
        /** Port of the original gRPC API; serves every protocol. 0 picks a free port. */
        grpc_port: port.default(8080),
        /** Port of the original REST API; serves every protocol. 0 picks a free port. */
        rest_port: port.default(8081),
        /** How long shutdown waits for in-flight requests before closing connections. */
        shutdown_grace_seconds: z.number().min(0).max(3_600).default(10),
        /**
         * How long an idle HTTP/1.1 keep-alive connection stays open. Longer than clients keep
         * theirs, so that a busy node never closes a connection a request is already on its way over.
         */
        keep_alive_timeout_seconds: z.number().min(1).max(290).default(65),
        /**
         * Read the Struct payloads of StreamWrite records and the bodies of REST batches on a thread
         * of their own, beside the main thread that serves every request; false: on the main thread.
         */
        decode_thread: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    tables: z
      .object({
        /** Create a table on its first write instead of answering not_found. */
        auto_create: z.boolean().default(true),
        /** Table used by writes that name none. */
        default_table: z
          .string()
          .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/)
          .default("default"),
        /** Config of auto-created tables and of fields a CreateTable leaves at zero. */
        defaults: z
          .object({
            buffer_size: z.number().int().min(1).max(10_000_000).default(100_000),
            flush_interval_seconds: z.number().int().min(1).max(86_400).default(30),
            retention_days: z.number().int().min(0).max(36_500).default(0),
            id_strategy: z.enum(["uuid", "snowflake", "custom", "user_provided"]).default("user_provided"),
            auto_generate_id: z.boolean().default(true),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    worker: z
      .object({
        /** How often tables are checked against their flush interval. */
        flush_check_interval_ms: z.number().int().min(10).max(60_000).default(1_000),
        /** Buffered bytes across tables above which the largest table is flushed early and writes wait. */
        max_buffered_bytes: z
          .number()
          .int()
          .min(1 << 20)
          .default(256 * 1024 * 1024),
        /** How long the result of a write with an idempotency key is kept for its retries. */
        idempotency_window_seconds: z
          .number()
          .int()
          .min(60)
          .max(7 * 86_400)
          .default(900),
        /**
         * DuckDB memory limit of the flush writer (buffered rows to Parquet, compaction); larger
         * sorts spill to the scratch directory instead of growing the process.
         */
        flush_memory_limit: duckDbSize().default("512MB"),
        /** DuckDB threads of the flush writer; each needs about 128 MB of flush_memory_limit. */
        flush_threads: z.number().int().min(1).max(256).default(1),
        /** Bytes per WAL segment file. */
        wal_segment_bytes: z
          .number()
          .int()
          .min(1 << 16)
          .default(64 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        /** Largest request body (REST) or message (gRPC/Connect), in bytes. */
        max_request_bytes: z
          .number()
          .int()
          .min(1024)
          .default(64 * 1024 * 1024),
        /** Largest single record (its payload as JSON), in UTF-8 bytes. */
        max_record_bytes: z
          .number()
          .int()
          .min(64)
          .default(1024 * 1024),
        /** Most records in one request or stream message. */
        max_batch_records: z.number().int().min(1).default(100_000),
        /** Largest QueryData page (its result_json), in UTF-8 bytes. */
        max_result_bytes: z
          .number()
          .int()
          .min(1024)
          .default(64 * 1024 * 1024),
        /** Longest SQL text of a query, in bytes. */
        max_sql_bytes: z
          .number()
          .int()
          .min(64)
          .default(1024 * 1024),
      })
      .strict()
      .prefault({}),
    metadata: metadataSchema,
    storage: storageSchema,
    lifecycle: lifecycleSchema,
    cluster: clusterSchema,
    query: z
      .object({
        /** A statement running longer is interrupted (DeadlineExceeded). */
        timeout_seconds: z.number().min(0.1).max(86_400).default(30),
        /** DuckDB memory limit; a query needing more fails with ResourceExhausted. */
        memory_limit: duckDbSize().default("2GB"),
        /** DuckDB worker threads; unset means one per core. */
        threads: z.number().int().min(1).max(256).optional(),
        /** Queries that run at once; more wait for a free slot. */
        max_concurrent: z.number().int().min(1).max(256).default(4),
        /** Bytes of local copies of data files kept for queries (least recently used evicted). */
        file_cache_bytes: z
          .number()
          .int()
          .min(1 << 20)
          .default(2 * 1024 * 1024 * 1024),
        /**
         * Size of the data files (as stored) whose live rows may be kept in local tables after
         * updates or deletes touched them, so that scans skip the tombstone join; 0 turns it off.
         */
        live_rows_bytes: z
          .number()
          .int()
          .min(0)
          .default(4 * 1024 * 1024 * 1024),
        /** How long a QueryData cursor stays valid. */
        cursor_ttl_seconds: z.number().int().min(1).max(86_400).default(600),
        /** Bytes of materialised results kept for cursors; the oldest expire first beyond it. */
        result_cache_bytes: z
          .number()
          .int()
          .min(1 << 20)
          .default(1024 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    auth: authSchema,
    tls: tlsSchema,
    log: z
      .object({
        /** Minimum level written to stdout as JSON lines. */
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
        /** Also append the JSON lines to this file (directories are created), e.g. logs/miniodb.log. */
        file: z.string().min(1).optional(),
        /** Queries running at least this long are logged at warn level ("slow query"). */
        slow_query_ms: z.number().int().min(0).default(1_000),
      })
      .strict()
      .prefault({}),
    observability: observabilitySchema,
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
