import type { Tracer } from "@opentelemetry/api";
import type { ObjectStore } from "@miniodb/core";
import type { FragmentExecutorOptions } from "@miniodb/worker-node";
import type { dataLayout } from "../config/data-layout.js";
import type { ResolvedConfig } from "../config/node-identity.js";

/**
 * A worker's query fragment engine, configured by the `query` block as a query node's engine is:
 * its cache directory, file cache size, memory, threads, timeout and concurrency.
 */
export function fragmentExecutorOptions(
  config: ResolvedConfig,
  layout: ReturnType<typeof dataLayout>,
  objects: ObjectStore,
  tracer?: Tracer,
): FragmentExecutorOptions {
  return {
    objects,
    directory: layout.queryCacheDirectory,
    cacheBytes: config.query.file_cache_bytes,
    memoryLimit: config.query.memory_limit,
    threads: config.query.threads,
    timeoutMs: config.query.timeout_seconds * 1000,
    connections: config.query.max_concurrent,
    maxLineBytes: config.limits.max_record_bytes + 4096,
    // Well under the largest message either side accepts.
    chunkBytes: Math.max(64 * 1024, Math.min(1024 * 1024, Math.floor(config.limits.max_request_bytes / 2))),
    tracer,
  };
}
