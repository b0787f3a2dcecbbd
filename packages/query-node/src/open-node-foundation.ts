import type { Logger } from "pino";
import type { ResolvedConfig } from "./config/node-identity.js";
import { createMetadataStore } from "./create-metadata-store.js";
import { createObjectStore } from "./create-object-store.js";
import {
  createNodeObservability,
  type NodeObservabilityExtras,
} from "./observability/create-node-observability.js";
import { traceObjectStore } from "./observability/tracing/traced-object-store.js";
import { VERSION } from "./version.js";

export type NodeRole = "all-in-one" | "query" | "worker";

/** A step of a node's shutdown, run in reverse order of start. */
export type CleanupSteps = Array<() => Promise<void> | void>;

/**
 * What every node role starts with, in this order: its observability (metrics registry, tracer),
 * the metadata store and the object store (traced when tracing is on). Each is added to
 * `cleanup`, so the stores close before the observability exports its last spans.
 */
export async function openNodeFoundation(
  config: ResolvedConfig,
  logger: Logger,
  role: NodeRole,
  paths: { readonly metadataFile: string; readonly objectsDirectory: string },
  cleanup: CleanupSteps,
  extras: NodeObservabilityExtras = {},
) {
  const observability = createNodeObservability(config, logger, VERSION, role, extras);
  cleanup.unshift(() => observability.close());
  const metadata = await createMetadataStore(
    config,
    paths.metadataFile,
    logger.child({ component: "metadata" }),
  );
  cleanup.unshift(() => metadata.store.close());
  const storage = await createObjectStore(
    config,
    paths.objectsDirectory,
    logger.child({ component: "storage" }),
  );
  cleanup.unshift(() => storage.store.close());
  return {
    observability,
    tracer: observability.tracer,
    metadata,
    storage,
    /** The object store every component uses. */
    objects: traceObjectStore(storage.store, observability.tracer),
  };
}
