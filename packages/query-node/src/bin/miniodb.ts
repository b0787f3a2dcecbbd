#!/usr/bin/env node
import { Command, InvalidArgumentError } from "commander";
import type { Logger } from "pino";
import { MiniodbError } from "@miniodb/core";
import { addKeyCommands } from "../auth/key-commands.js";
import { loadConfig } from "../config/load-config.js";
import { resolveNodeIdentity, type ResolvedConfig } from "../config/node-identity.js";
import { createNodeLogger } from "../observability/create-logger.js";
import { startAllInOne } from "../start-all-in-one.js";
import { startQueryNode } from "../start-query-node.js";
import { startWorkerNode } from "../start-worker-node.js";
import { VERSION } from "../version.js";
import { addAdminCommands } from "./admin-commands.js";

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidArgumentError("not a port number");
  return port;
}

interface ServeFlags {
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

async function serve(flags: ServeFlags): Promise<void> {
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

const program = new Command("miniodb").description("MinIODB: records in, SQL out.").version(VERSION);
program
  .command("serve")
  .description(
    "start a node: all-in-one (default: the public API over embedded stores), or a cluster's query or worker node",
  )
  .option("-c, --config <file>", "YAML configuration file (default: $MINIODB_CONFIG)")
  .option("--host <address>", "interface to bind (server.host)")
  .option("--grpc-port <port>", "gRPC port, all protocols (server.grpc_port)", parsePort)
  .option("--rest-port <port>", "REST port, all protocols (server.rest_port)", parsePort)
  .option("--node-id <id>", "stable node id (node.id)")
  .option("--role <role>", "all-in-one | query | worker (node.role)")
  .option("--cluster-port <port>", "a worker's internal API port (cluster.port)", parsePort)
  .option(
    "--advertise-address <host:port>",
    "address other nodes reach this node at (cluster.advertise_address)",
  )
  .option("--log-level <level>", "trace|debug|info|warn|error|fatal|silent (log.level)")
  .option(
    "--insecure-allow-remote",
    "allow a non-loopback bind with auth.enabled false (auth.insecure_allow_remote)",
  )
  .action(serve);
addKeyCommands(program);
addAdminCommands(program);

program.parseAsync().catch((error: unknown) => {
  const message =
    error instanceof MiniodbError ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`miniodb: ${message}\n`);
  const isConfigError =
    error instanceof MiniodbError && ["invalid_argument", "failed_precondition"].includes(error.code);
  process.exit(isConfigError ? 2 : 1);
});
