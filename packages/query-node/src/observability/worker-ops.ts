import { getRequestListener } from "@hono/node-server";
import type { Logger } from "pino";
import type { Worker, WorkerRequestHandler, WriteAheadLog } from "@miniodb/worker-node";
import type { ClusterMembership } from "../cluster/cluster-membership.js";
import type { ResolvedConfig } from "../config/node-identity.js";
import type { openNodeFoundation } from "../open-node-foundation.js";
import { createOpsApp } from "../rest/create-ops-app.js";
import { createHealthCheck } from "../services/health-check.js";
import { VERSION } from "../version.js";
import { nodeHealthProbes } from "./create-node-observability.js";
import { workerNodeSources } from "./role-sources.js";
import { StatusService } from "./status-service.js";

export interface WorkerOpsOptions {
  readonly config: ResolvedConfig;
  readonly foundation: Awaited<ReturnType<typeof openNodeFoundation>>;
  readonly worker: Worker;
  readonly wal: WriteAheadLog;
  readonly membership: ClusterMembership;
  /** host:port the worker is reached at (known once it listens). */
  readonly address: () => string;
  readonly logger: Logger;
}

/**
 * Starts a worker's health monitor and gauges and returns the handler of its operations routes
 * (`/metrics`, `/v1/status`, `/v1/metrics`, `/v1/health[/ready|/live]`), served on the cluster
 * port next to the internal API.
 */
export async function startWorkerOps(options: WorkerOpsOptions): Promise<WorkerRequestHandler> {
  const { config, foundation, membership } = options;
  const observability = foundation.observability;
  await observability.attach(
    workerNodeSources(config, foundation, options.worker, options.wal),
    createHealthCheck({
      nodeId: config.node.id,
      mode: "worker",
      version: VERSION,
      probeTimeoutMs: config.observability.probe_timeout_ms,
      probes: nodeHealthProbes(foundation.metadata.store, foundation.storage.pools),
    }),
  );
  const status = new StatusService({
    observability,
    address: options.address,
    nodeListTimeoutMs: config.observability.probe_timeout_ms,
    role: "worker",
    ownShards: () => membership.ring.shardsOf(config.node.id).length,
    heartbeatTtlMs: config.cluster.heartbeat_ttl_ms,
  });
  const app = createOpsApp(() => observability.checkHealth(), status, options.logger);
  // Hono's listener takes the same http/http2 request pairs; only its callback typing differs.
  return getRequestListener(app.fetch) as unknown as WorkerRequestHandler;
}
