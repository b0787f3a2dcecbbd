import { createApiSecurity } from "./auth/create-api-security.js";
import { resolveAuthMode } from "./auth/resolve-auth-enabled.js";
import { readTlsFiles } from "./server/read-tls-files.js";
import { mkdir, rm } from "node:fs/promises";
import type { Logger } from "pino";
import { ParquetFileWriter } from "@miniodb/executor";
import { ClusterDataPlane } from "./cluster/cluster-data-plane.js";
import { ClusterMembership } from "./cluster/cluster-membership.js";
import { NodeHeartbeat } from "./cluster/node-heartbeat.js";
import { requireSharedBackends } from "./cluster/require-shared-backends.js";
import { WorkerClients } from "./cluster/worker-clients.js";
import { dataLayout } from "./config/data-layout.js";
import type { ResolvedConfig } from "./config/node-identity.js";
import { tableDefaultsFromConfig } from "./config/table-defaults.js";
import { createQueryServices } from "./create-query-services.js";
import { createRequestIdForwarder } from "./cluster/request-id-interceptors.js";
import { lifecycleSettings } from "./lifecycle/lifecycle-settings.js";
import { startLifecycle } from "./lifecycle/start-lifecycle.js";
import { instrumentHandler } from "./observability/instrument-handler.js";
import { startQueryNodeOps } from "./observability/query-node-ops.js";
import { createClientSpanInterceptor } from "./observability/tracing/rpc-span-interceptors.js";
import { openNodeFoundation } from "./open-node-foundation.js";
import { DecodeThread } from "./decode/decode-thread-client.js";
import { createRequestHandler } from "./server/create-request-handler.js";
import { TableService } from "./services/table-service.js";
import { WriteService } from "./services/write-service.js";
import { closeServers, listenOnBothPorts, runAll, type RunningNode } from "./start-all-in-one.js";
import { VERSION } from "./version.js";
import { flushWriterLimits } from "./config/flush-writer-config.js";

/**
 * Starts a query node: the public API on both configured ports, writes routed to the workers that
 * own their shards, queries over the manifest's files plus every worker's unflushed rows, and the
 * lifecycle jobs (scheduled under the cluster-wide lease, and on demand). Holds no data of its
 * own (its data directory keeps only caches and scratch files). Wiring only.
 */
export async function startQueryNode(config: ResolvedConfig, logger: Logger): Promise<RunningNode> {
  requireSharedBackends(config);
  const authMode = resolveAuthMode(config.server.host, config.auth);
  if (authMode.warning) logger.warn({ host: config.server.host }, authMode.warning);
  const tls = await readTlsFiles(config.tls);
  const layout = dataLayout(config.node.data_dir);
  for (const directory of [layout.queryCacheDirectory, layout.scratchDirectory]) {
    await rm(directory, { recursive: true, force: true });
    await mkdir(directory, { recursive: true });
  }
  const cleanup: Array<() => Promise<void> | void> = [];
  const cluster = config.cluster;
  try {
    const foundation = await openNodeFoundation(config, logger, "query", layout, cleanup);
    const { observability, tracer, objects } = foundation;
    const { store: metadata, kind: metadataKind } = foundation.metadata;
    const { kind: storageKind, backup: backupObjects, primary: primaryObjects } = foundation.storage;
    const clients = new WorkerClients({
      timeoutMs: cluster.request_timeout_ms,
      maxMessageBytes: config.limits.max_request_bytes,
      interceptors: [createRequestIdForwarder(), ...(tracer ? [createClientSpanInterceptor(tracer)] : [])],
    });
    cleanup.unshift(() => clients.close());
    const membership = await ClusterMembership.start({
      metadata,
      pollIntervalMs: cluster.membership_poll_ms,
      ring: { shardCount: cluster.shard_count, virtualNodes: cluster.virtual_nodes },
      onError: (error) => logger.warn({ err: error }, "membership refresh failed"),
      onChange: (previous, next, workers) => {
        clients.retain(workers);
        logger.info(
          {
            workers: next.nodes,
            moved_shards: previous.isEmpty ? next.shardCount : previous.movesTo(next).length,
          },
          "worker ring changed",
        );
      },
    });
    cleanup.unshift(() => membership.close());
    const data = new ClusterDataPlane({
      nodeId: config.node.id,
      metadata,
      membership,
      clients,
      rerouteWindowMs: cluster.heartbeat_ttl_ms + 2 * cluster.membership_poll_ms,
      idempotencyWindowMs: config.worker.idempotency_window_seconds * 1000,
      inlineResultCells: cluster.inline_result_cells,
      tracer,
    });
    const tables = new TableService({
      metadata,
      objects,
      data,
      defaults: tableDefaultsFromConfig(config),
      autoCreate: config.tables.auto_create,
      defaultTable: config.tables.default_table,
    });
    const reads = await createQueryServices({
      config,
      layout,
      metadata,
      objects,
      data,
      tables,
      tracer,
      logger,
    });
    cleanup.unshift(() => reads.close());
    // Compaction and data restores write Parquet files here before storing them.
    const writer = await ParquetFileWriter.create({
      workDirectory: layout.scratchDirectory,
      ...flushWriterLimits(config),
    });
    cleanup.unshift(() => writer.close());
    const lifecycle = startLifecycle({
      ...lifecycleSettings(config, logger, observability.metrics),
      metadata,
      objects,
      backupObjects,
      primaryObjects,
      writer,
      data,
      scratchDirectory: layout.scratchDirectory,
      tables,
      queries: reads.queries,
    });
    cleanup.unshift(() => lifecycle.close());
    let address = "";
    const { health, status } = await startQueryNodeOps({
      config,
      foundation,
      reads,
      membership,
      clients,
      address: () => address,
    });
    const ingestDecoder = config.server.decode_thread
      ? new DecodeThread(logger.child({ component: "api" }))
      : undefined;
    if (ingestDecoder) cleanup.unshift(() => ingestDecoder.close());
    const services = {
      nodeId: config.node.id,
      health,
      tables,
      writes: new WriteService({ tables, data, maxBatchRecords: config.limits.max_batch_records }),
      queries: reads.queries,
      pager: reads.pager,
      mutations: reads.mutations,
      maxBatchRecords: config.limits.max_batch_records,
      maxRequestBytes: config.limits.max_request_bytes,
      status,
      lifecycle: lifecycle.api,
      ingestDecoder,
    };
    const security = await createApiSecurity({
      config,
      authEnabled: authMode.enabled,
      metadata,
      sqlTables: (sql) => reads.queries.tablesOf(sql),
      logger,
    });
    cleanup.unshift(() => security.close());
    const handler = instrumentHandler(
      createRequestHandler(services, logger.child({ component: "api" }), security),
      (context, ok) => observability.recordRequest(context, ok),
      tracer,
    );
    const servers = await listenOnBothPorts(config, handler, tls);
    cleanup.unshift(() => closeServers(servers, config.server.shutdown_grace_seconds * 1000));
    const ports = { grpc: servers[0].address.port, rest: servers.at(-1)!.address.port };
    address = cluster.advertise_address ?? `${config.server.host}:${ports.grpc}`;
    const heartbeat = await NodeHeartbeat.start({
      metadata,
      id: config.node.id,
      role: "query",
      address,
      intervalMs: cluster.heartbeat_interval_ms,
      ttlMs: cluster.heartbeat_ttl_ms,
      onError: (error) => logger.warn({ err: error }, "heartbeat failed"),
    });
    cleanup.unshift(() => heartbeat.stop());
    logger.info(
      {
        role: "query",
        host: config.server.host,
        ports,
        workers: membership.ring.nodes,
        version: VERSION,
        auth: authMode.enabled,
        tls: tls !== undefined,
        metadata: metadataKind,
        storage: storageKind,
      },
      "listening",
    );
    return {
      ports,
      async close() {
        await runAll(cleanup);
        logger.info("stopped");
      },
    };
  } catch (error) {
    await runAll(cleanup).catch(() => undefined);
    throw error;
  }
}
