import { mkdir, rm } from "node:fs/promises";
import type { Logger } from "pino";
import { ParquetFileWriter } from "@miniodb/executor";
import { Worker, WriteAheadLog } from "@miniodb/worker-node";
import { dataLayout } from "./config/data-layout.js";
import { startLifecycle } from "./lifecycle/start-lifecycle.js";
import type { ResolvedConfig } from "./config/node-identity.js";
import { tableDefaultsFromConfig } from "./config/table-defaults.js";
import { createMetadataStore } from "./create-metadata-store.js";
import { createObjectStore } from "./create-object-store.js";
import { createQueryServices } from "./create-query-services.js";
import { createRequestHandler } from "./server/create-request-handler.js";
import { ProtocolServer } from "./server/protocol-server.js";
import { createHealthCheck } from "./services/health-check.js";
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
export async function startAllInOne(config: ResolvedConfig, logger: Logger): Promise<RunningNode> {
  const layout = dataLayout(config.node.data_dir);
  await rm(layout.scratchDirectory, { recursive: true, force: true });
  await mkdir(layout.scratchDirectory, { recursive: true });
  const cleanup: Array<() => Promise<void> | void> = [];
  try {
    const { store: metadata, kind: metadataKind } = await createMetadataStore(
      config,
      layout.metadataFile,
      logger.child({ component: "metadata" }),
    );
    cleanup.unshift(() => metadata.close());
    const {
      store: objects,
      kind: storageKind,
      backup: backupObjects,
      primary: primaryObjects,
    } = await createObjectStore(config, layout.objectsDirectory, logger.child({ component: "storage" }));
    cleanup.unshift(() => objects.close());
    const writer = await ParquetFileWriter.create({ workDirectory: layout.scratchDirectory });
    cleanup.unshift(() => writer.close());
    const wal = await WriteAheadLog.open({
      directory: layout.walDirectory,
      segmentBytes: config.worker.wal_segment_bytes,
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
    });
    cleanup.unshift(() => worker.close());
    const tables = new TableService({
      metadata,
      objects,
      data: worker,
      defaults: tableDefaultsFromConfig(config),
      autoCreate: config.tables.auto_create,
      defaultTable: config.tables.default_table,
    });
    const reads = await createQueryServices({ config, layout, metadata, objects, data: worker, tables });
    cleanup.unshift(() => reads.close());
    const lifecycle = startLifecycle({
      nodeId: config.node.id,
      config: config.lifecycle,
      metadata,
      objects,
      backupObjects,
      primaryObjects,
      writer,
      worker,
      scratchDirectory: layout.scratchDirectory,
      tables,
      queries: reads.queries,
      maxBatchRecords: config.limits.max_batch_records,
      logger: logger.child({ component: "lifecycle" }),
    });
    cleanup.unshift(() => lifecycle.close());
    const health = createHealthCheck({
      nodeId: config.node.id,
      mode: "all-in-one",
      version: VERSION,
      probes: {
        metadata: () => metadata.ping(),
        storage: async () => void (await objects.head("health/probe")),
      },
    });
    const services = {
      nodeId: config.node.id,
      health,
      tables,
      writes: new WriteService({ tables, data: worker, maxBatchRecords: config.limits.max_batch_records }),
      queries: reads.queries,
      pager: reads.pager,
      mutations: reads.mutations,
      maxBatchRecords: config.limits.max_batch_records,
      maxRequestBytes: config.limits.max_request_bytes,
      lifecycle: lifecycle.api,
    };
    const handler = createRequestHandler(services, logger.child({ component: "api" }));
    const servers = await listenOnBothPorts(config, handler);
    cleanup.unshift(() => closeServers(servers, config.server.shutdown_grace_seconds * 1000));
    const ports = { grpc: servers[0].address.port, rest: servers.at(-1)!.address.port };
    logger.info(
      {
        host: config.server.host,
        ports,
        version: VERSION,
        data_dir: config.node.data_dir,
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

async function listenOnBothPorts(config: ResolvedConfig, handler: ReturnType<typeof createRequestHandler>) {
  const { host, grpc_port, rest_port } = config.server;
  const grpc = await ProtocolServer.listen({ host, port: grpc_port, handler });
  if (rest_port === grpc_port && rest_port !== 0) return [grpc] as const;
  try {
    return [grpc, await ProtocolServer.listen({ host, port: rest_port, handler })] as const;
  } catch (error) {
    await grpc.close(0);
    throw error;
  }
}

async function closeServers(servers: readonly ProtocolServer[], graceMs: number): Promise<void> {
  await Promise.all(servers.map((server) => server.close(graceMs)));
}

/** Runs every step even if one fails, then rethrows the first failure. */
async function runAll(steps: ReadonlyArray<() => Promise<void> | void>): Promise<void> {
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
