import { MiniodbError } from "@miniodb/core";
import type { Config } from "../config/config-schema.js";

/**
 * Query and worker nodes share their metadata and data: they need the Redis metadata store and
 * S3 storage. The embedded stores live in one node's data directory, so a cluster role on them is
 * refused with an error that says what to configure.
 */
export function requireSharedBackends(config: Config): void {
  const problems: string[] = [];
  if (config.metadata.backend !== "redis")
    problems.push("metadata.backend must be redis (set REDIS_HOST or MINIODB_METADATA__BACKEND=redis)");
  if (config.storage.backend !== "s3")
    problems.push("storage.backend must be s3 (set MINIO_ENDPOINT or MINIODB_STORAGE__BACKEND=s3)");
  if (problems.length > 0) {
    throw new MiniodbError(
      "failed_precondition",
      `node.role ${config.node.role} needs backends shared by every node:\n  ${problems.join("\n  ")}`,
    );
  }
}
