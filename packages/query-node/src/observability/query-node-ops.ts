import { MiniodbError } from "@miniodb/core";
import type { DuckDbEngine, LiveRowTables, ObjectFileCache } from "@miniodb/executor";
import type { ClusterMembership } from "../cluster/cluster-membership.js";
import type { WorkerClients } from "../cluster/worker-clients.js";
import { WorkerStats } from "../cluster/worker-stats.js";
import type { ResolvedConfig } from "../config/node-identity.js";
import type { openNodeFoundation } from "../open-node-foundation.js";
import { createHealthCheck } from "../services/health-check.js";
import { VERSION } from "../version.js";
import { nodeHealthProbes } from "./create-node-observability.js";
import { queryNodeSources } from "./role-sources.js";
import { StatusService } from "./status-service.js";

export interface QueryNodeOpsOptions {
  readonly config: ResolvedConfig;
  readonly foundation: Awaited<ReturnType<typeof openNodeFoundation>>;
  readonly reads: {
    readonly engine: DuckDbEngine;
    readonly cache: ObjectFileCache;
    readonly liveRows: LiveRowTables;
    readonly pager: { storedBytes: number };
  };
  readonly membership: ClusterMembership;
  readonly clients: WorkerClients;
  /** host:port the query node is reached at (known once it listens). */
  readonly address: () => string;
}

/**
 * Starts a query node's health monitor and gauges (over its engine, its stores and every worker's
 * unflushed rows) and returns its health check and status service for the API.
 */
export async function startQueryNodeOps(options: QueryNodeOpsOptions) {
  const { config, foundation, membership } = options;
  const observability = foundation.observability;
  const workerStats = new WorkerStats(membership, options.clients, config.observability.probe_timeout_ms);
  await observability.attach(
    queryNodeSources(config, foundation, options.reads, workerStats),
    createHealthCheck({
      nodeId: config.node.id,
      mode: "query",
      version: VERSION,
      probeTimeoutMs: config.observability.probe_timeout_ms,
      probes: {
        ...nodeHealthProbes(foundation.metadata.store, foundation.storage.pools, options.reads.engine),
        workers: async () => {
          if ((await membership.refresh()).length === 0)
            throw new MiniodbError("unavailable", "no worker node is registered");
        },
      },
    }),
  );
  return {
    health: () => observability.checkHealth(),
    status: new StatusService({
      observability,
      address: options.address,
      nodeListTimeoutMs: config.observability.probe_timeout_ms,
      role: "query",
      ownShards: () => 0,
      heartbeatTtlMs: config.cluster.heartbeat_ttl_ms,
      workerReport: (id) => workerStats.of(id),
    }),
  };
}
