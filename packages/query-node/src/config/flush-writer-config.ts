import type { ParquetFileWriterOptions } from "@miniodb/executor";
import type { Config } from "./config-schema.js";

/** The flush writer's DuckDB limits: `worker.flush_memory_limit` and `worker.flush_threads`. */
export function flushWriterLimits(config: Config): Pick<ParquetFileWriterOptions, "memoryLimit" | "threads"> {
  return { memoryLimit: config.worker.flush_memory_limit, threads: config.worker.flush_threads };
}
