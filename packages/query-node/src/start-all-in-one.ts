import { mkdir, rm } from "node:fs/promises";
import type { Logger } from "pino";
import { ParquetFileWriter } from "@miniodb/executor";
import { Worker, WriteAheadLog } from "@miniodb/worker-node";
import { createApiSecurity } from "./auth/create-api-security.js";
import { resolveAuthMode } from "./auth/resolve-auth-enabled.js";
import { dataLayout } from "./config/data-layout.js";
import { lifecycleSettings } from "./lifecycle/lifecycle-settings.js";
import { startLifecycle } from "./lifecycle/start-lifecycle.js";
import type { ResolvedConfig } from "./config/node-identity.js";
import { tableDefaultsFromConfig } from "./config/table-defaults.js";
import { flushWriterLimits } from "./config/flush-writer-config.js";
import { createQueryServices } from "./create-query-services.js";
import { DecodeThread } from "./decode/decode-thread-client.js";
import { createRequestHandler } from "./server/create-request-handler.js";
import { ProtocolServer, type RequestHandler } from "./server/protocol-server.js";
import { readTlsFiles, type TlsFiles } from "./server/read-tls-files.js";
import { createHealthCheck } from "./services/health-check.js";
import { nodeHealthProbes, type NodeObservabilityExtras } from "./observability/create-node-observability.js";
import { openNodeFoundation } from "./open-node-foundation.js";
import { instrumentHandler } from "./observability/instrument-handler.js";
import { StatusService } from "./observability/status-service.js";
import { InProcessDataPlane } from "./services/in-process-data-plane.js";
import { TableService } from "./services/table-service.js";
import { WriteService } from "./services/write-service.js";
import { VERSION } from "./version.js";

export interface RunningNode {
  /** Bound ports by name ("grpc", "rest"); equal when both names share one port. */
  readonly ports: Readonly<Record<"grpc" | "rest", number>>;
  /** Graceful shutdown, in reverse order of start: servers, worker (flushes), stores. */
  close(): Promise<void>;
}

/**
 * Starts a node in the all-in-one mode over the embedded stores in `node.data_dir`: the public
 * API on both configured ports, every protocol on each, and an in-process worker. Wiring only.
 */
export async function startAllInOne(
  config: ResolvedConfig,
  logger: Logger,
  extras: NodeObservabilityExtras = {},
): Promise<RunningNode> {
  const authMode = resolveAuthMode(config.server.host, config.auth);
  if (authMode.warning) logger.warn({ host: config.server.host }, authMode.warning);
  const tls = await readTlsFiles(config.tls);
  const layout = dataLayout(config.node.data_dir);
  await rm(layout.scratchDirectory, { recursive: true, force: true });
  await mkdir(layout.scratchDirectory, { recursive: true });
  const cleanup: Array<() => Promise<void> | void> = [];
  try {
    const foundation = await openNodeFoundation(config, logger, "all-in-one", layout, cleanup, extras);
    const { observability, tracer, objects } = foundation;
    const hooks = observability.dataPathHooks();
    const { store: metadata, kind: metadataKind, connections: metadataConnections } = foundation.metadata;
    const {
      kind: storageKind,
      pools,
      poolStatus,
      backup: backupObjects,
      primary: primaryObjects,
    } = foundation.storage;
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
    });
    cleanup.unshift(() => worker.close());
    const data = new InProcessDataPlane(worker);
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
      onCacheLookups: hooks.onCacheLookups,
      tracer,
      logger,
    });
    cleanup.unshift(() => reads.close());
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
    await observability.attach(
      {
        nodeId: config.node.id,
        metadataKind,
        storageKind,
        metadata,
        buffers: worker,
        wal,
        fileCache: reads.cache,
        liveRows: reads.liveRows,
        engine: reads.engine,
        resultCacheBytes: () => reads.pager.storedBytes,
        metadataConnections,
        storagePools: pools,
        poolStatus,
        maxBufferedBytes: config.worker.max_buffered_bytes,
      },
      createHealthCheck({
        nodeId: config.node.id,
        mode: "all-in-one",
        version: VERSION,
        probeTimeoutMs: config.observability.probe_timeout_ms,
        probes: nodeHealthProbes(metadata, pools, reads.engine, worker),
      }),
    );
    const health = () => observability.checkHealth();
    let ports = { grpc: config.server.grpc_port, rest: config.server.rest_port };
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
      status: new StatusService({
        observability,
        address: () => `${config.server.host}:${ports.grpc}`,
        nodeListTimeoutMs: config.observability.probe_timeout_ms,
        role: "all-in-one",
        ownShards: () => config.cluster.shard_count,
        heartbeatTtlMs: config.cluster.heartbeat_ttl_ms,
      }),
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
    ports = { grpc: servers[0].address.port, rest: servers.at(-1)!.address.port };
    logger.info(
      {
        host: config.server.host,
        ports,
        version: VERSION,
        data_dir: config.node.data_dir,
        metadata: metadataKind,
        storage: storageKind,
        auth: authMode.enabled,
        tls: tls !== undefined,
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

export async function listenOnBothPorts(
  config: ResolvedConfig,
  { handler, streams }: RequestHandler,
  tls?: TlsFiles,
) {
  const { host, grpc_port, rest_port, keep_alive_timeout_seconds } = config.server;
  const keepAliveTimeoutMs = keep_alive_timeout_seconds * 1000;
  const serving = { host, handler, streams, tls, keepAliveTimeoutMs };
  const grpc = await ProtocolServer.listen({ ...serving, port: grpc_port });
  if (rest_port === grpc_port && rest_port !== 0) return [grpc] as const;
  try {
    const rest = await ProtocolServer.listen({ ...serving, port: rest_port });
    return [grpc, rest] as const;
  } catch (error) {
    await grpc.close(0);
    throw error;
  }
}

export async function closeServers(servers: readonly ProtocolServer[], graceMs: number): Promise<void> {
  await Promise.all(servers.map((server) => server.close(graceMs)));
}

/** Runs every step even if one fails, then rethrows the first failure. */
export async function runAll(steps: ReadonlyArray<() => Promise<void> | void>): Promise<void> {
  let failure: unknown;
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}
