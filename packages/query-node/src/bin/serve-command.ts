import type { Logger } from "pino";
import { loadConfig } from "../config/load-config.js";
import { resolveNodeIdentity, type ResolvedConfig } from "../config/node-identity.js";
import { createNodeLogger } from "../observability/create-logger.js";
import { startAllInOne } from "../start-all-in-one.js";
import { startQueryNode } from "../start-query-node.js";
import { startWorkerNode } from "../start-worker-node.js";

export interface ServeFlags {
  config?: string;
  host?: string;
  grpcPort?: number;
  restPort?: number;
  nodeId?: string;
  logLevel?: string;
  insecureAllowRemote?: boolean;
  role?: string;
  clusterPort?: number;
  advertiseAddress?: string;
}

/** Starts a node by its configured role and stops it cleanly on SIGINT/SIGTERM. */
export async function serve(flags: ServeFlags): Promise<void> {
  // The AWS SDK warns at every start that its releases after January 2027 need Node 22. The node
  // pins its SDK version and runs on Node 20, so the nine lines only bury the node's own log;
  // AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false brings them back.
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
  const loaded = loadConfig({
    file: flags.config,
    env: process.env,
    flags: {
      "server.host": flags.host,
      "server.grpc_port": flags.grpcPort,
      "server.rest_port": flags.restPort,
      "node.id": flags.nodeId,
      "node.role": flags.role,
      "cluster.port": flags.clusterPort,
      "cluster.advertise_address": flags.advertiseAddress,
      "log.level": flags.logLevel,
      "auth.insecure_allow_remote": flags.insecureAllowRemote,
    },
  });
  const config = resolveNodeIdentity(loaded);
  const logger = createNodeLogger({ level: config.log.level, nodeId: config.node.id, file: config.log.file });
  // Signal handlers go in before anything starts, so a signal during startup still shuts down
  // cleanly once the node is up instead of killing it half-started.
  const starting = startByRole(config, logger);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting without waiting");
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    starting
      .then((node) => node.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await starting;
}

function startByRole(config: ResolvedConfig, logger: Logger): Promise<{ close(): Promise<void> }> {
  switch (config.node.role) {
    case "query":
      return startQueryNode(config, logger);
    case "worker":
      return startWorkerNode(config, logger);
    case "all-in-one":
      return startAllInOne(config, logger);
  }
}
