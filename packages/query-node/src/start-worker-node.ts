import { mkdir, rm } from "node:fs/promises";
import type { Logger } from "pino";
import { ParquetFileWriter } from "@miniodb/executor";
import {
  BufferCaptures,
  createWorkerService,
  FragmentExecutor,
  TableLookup,
  Worker,
  createWorkerHandler,
  WriteAdmission,
  WriteAheadLog,
} from "@miniodb/worker-node";
import { ClusterMembership } from "./cluster/cluster-membership.js";
import { drainWorker } from "./cluster/drain-worker.js";
import { createRequestIdReceiver } from "./cluster/request-id-interceptors.js";
import { fragmentExecutorOptions } from "./cluster/fragment-executor-options.js";
import { joinCluster } from "./cluster/join-cluster.js";
import { WorkerClients } from "./cluster/worker-clients.js";
import { requireSharedBackends } from "./cluster/require-shared-backends.js";
import { createWorkerOwnership } from "./cluster/worker-ownership.js";
import { dataLayout } from "./config/data-layout.js";
import type { ResolvedConfig } from "./config/node-identity.js";
import { flushWriterLimits } from "./config/flush-writer-config.js";
import { startWorkerOps } from "./observability/worker-ops.js";
import { ProtocolServer } from "./server/protocol-server.js";
import { createServerSpanInterceptor } from "./observability/tracing/rpc-span-interceptors.js";
import { openNodeFoundation } from "./open-node-foundation.js";
import { runAll } from "./start-all-in-one.js";
import { VERSION } from "./version.js";

export interface RunningWorkerNode {
  readonly ports: Readonly<{ cluster: number }>;
  /** Leaves the cluster gracefully: drains, flushes, deregisters, then stops. */
  close(): Promise<void>;
}

/**
 * Starts a worker node: its WAL, buffer and flusher over the shared Redis metadata store and S3
 * storage, the internal API (miniodb.cluster.v1) on `cluster.port`, then registers in the cluster.
 * Rows replayed from the WAL of a previous run are flushed before the node registers, so a worker
 * that crashed makes its acknowledged rows visible again as soon as it is back. Wiring only.
 */
export async function startWorkerNode(config: ResolvedConfig, logger: Logger): Promise<RunningWorkerNode> {
  requireSharedBackends(config);
  const layout = dataLayout(config.node.data_dir);
  await rm(layout.scratchDirectory, { recursive: true, force: true });
  await mkdir(layout.scratchDirectory, { recursive: true });
  const cleanup: Array<() => Promise<void> | void> = [];
  const cluster = config.cluster;
  try {
    const foundation = await openNodeFoundation(config, logger, "worker", layout, cleanup);
    const { observability, tracer, objects } = foundation;
    const hooks = observability.dataPathHooks();
    const { store: metadata, kind: metadataKind } = foundation.metadata;
    const storageKind = foundation.storage.kind;
    const writer = await ParquetFileWriter.create({
      workDirectory: layout.scratchDirectory,
      ...flushWriterLimits(config),
    });
    cleanup.unshift(() => writer.close());
    const wal = await WriteAheadLog.open({
      directory: layout.walDirectory,
      segmentBytes: config.worker.wal_segment_bytes,
      onGroupCommit: hooks.onGroupCommit,
    });
    const worker = await Worker.start({
      nodeId: config.node.id,
      metadata,
      objects,
      wal,
      writer,
      scratchDirectory: layout.scratchDirectory,
      flushCheckIntervalMs: config.worker.flush_check_interval_ms,
      maxBufferedBytes: config.worker.max_buffered_bytes,
      maxRecordBytes: config.limits.max_record_bytes,
      idempotencyWindowMs: config.worker.idempotency_window_seconds * 1000,
      onBackgroundError: (error, table) =>
        logger.error({ err: error, table }, "background flush failed; will retry"),
      onFlush: hooks.onFlush,
      tracer,
      publishWalMark: true,
    });
    cleanup.unshift(() => worker.close());
    const replayed = await worker.flush();
    if (replayed.rows > 0) logger.info({ rows: replayed.rows }, "flushed rows replayed from the WAL");
    // Before any write: compaction keeps the tombstones this WAL may need should the node crash.
    await worker.publishWalMark();
    const membership = await ClusterMembership.start({
      metadata,
      pollIntervalMs: cluster.membership_poll_ms,
      ring: { shardCount: cluster.shard_count, virtualNodes: cluster.virtual_nodes },
      onError: (error) => logger.warn({ err: error }, "membership refresh failed"),
    });
    cleanup.unshift(() => membership.close());
    const admission = new WriteAdmission(createWorkerOwnership(config.node.id, membership));
    const captures = new BufferCaptures();
    const fragments = await FragmentExecutor.create(fragmentExecutorOptions(config, layout, objects, tracer));
    cleanup.unshift(() => fragments.close());
    let address = "";
    const ops = await startWorkerOps({
      config,
      foundation,
      worker,
      wal,
      membership,
      address: () => address,
      logger: logger.child({ component: "ops" }),
    });
    // One port: the internal API (HTTP/2) for query nodes, /metrics and health for everyone.
    const handler = createWorkerHandler({
      readMaxBytes: config.limits.max_request_bytes,
      service: createWorkerService({
        nodeId: config.node.id,
        worker,
        tables: new TableLookup(metadata),
        admission,
        captures,
        fragments,
        refreshOwnership: () => membership.refresh(),
        ownedShards: () => membership.ring.shardsOf(config.node.id),
        shardOf: (table, id) => membership.ring.shardOf(table, id),
      }),
      onServerFault: (error, procedure) => logger.error({ err: error, procedure }, "cluster call failed"),
      interceptors: [createRequestIdReceiver(), ...(tracer ? [createServerSpanInterceptor(tracer)] : [])],
      fallback: ops,
    });
    const server = await ProtocolServer.listen({ host: config.server.host, port: cluster.port, handler });
    cleanup.unshift(() => server.close(config.server.shutdown_grace_seconds * 1000));
    const port = server.address.port;
    address = cluster.advertise_address ?? `${config.server.host}:${port}`;
    const clients = new WorkerClients({
      timeoutMs: cluster.request_timeout_ms,
      maxMessageBytes: config.limits.max_request_bytes,
    });
    cleanup.unshift(() => clients.close());
    const heartbeat = await joinCluster({
      heartbeat: {
        metadata,
        id: config.node.id,
        role: "worker",
        address,
        intervalMs: cluster.heartbeat_interval_ms,
        ttlMs: cluster.heartbeat_ttl_ms,
        onError: (error) => logger.warn({ err: error }, "heartbeat failed"),
      },
      membership,
      clients,
      logger,
    });
    const leave = () => drainWorker({ heartbeat, admission, worker, captures, logger });
    logger.info(
      {
        role: "worker",
        ports: { cluster: port },
        address,
        version: VERSION,
        metadata: metadataKind,
        storage: storageKind,
      },
      "listening",
    );
    return {
      ports: { cluster: port },
      async close() {
        await runAll([leave, ...cleanup]);
        logger.info("stopped");
      },
    };
  } catch (error) {
    await runAll(cleanup).catch(() => undefined);
    throw error;
  }
}
