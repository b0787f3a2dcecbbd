import type { Logger } from "pino";
import type { ResolvedConfig } from "../config/node-identity.js";
import type { MiniodbMetrics } from "../observability/miniodb-metrics.js";
import { recordLifecycleJob } from "../observability/record-lifecycle-job.js";
import type { LifecycleDeps } from "./start-lifecycle.js";

/** The lifecycle's settings every role that runs it takes from its configuration and metrics. */
export function lifecycleSettings(
  config: ResolvedConfig,
  logger: Logger,
  metrics: MiniodbMetrics,
): Pick<LifecycleDeps, "nodeId" | "config" | "maxBatchRecords" | "logger" | "onJobFinished"> {
  return {
    nodeId: config.node.id,
    config: config.lifecycle,
    maxBatchRecords: config.limits.max_batch_records,
    logger: logger.child({ component: "lifecycle" }),
    onJobFinished: (job) => recordLifecycleJob(metrics, job),
  };
}
