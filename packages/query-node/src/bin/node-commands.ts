import { InvalidArgumentError, type Command } from "commander";
import { addKeyCommands } from "../auth/key-commands.js";
import { addAdminCommands } from "./admin-commands.js";
import type { ServeFlags } from "./serve-command.js";

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidArgumentError("not a port number");
  return port;
}

/**
 * The node's own commands: `serve`, the key commands and the lifecycle commands. The server code
 * loads only when `serve` runs, so the other commands (and `--help`) start fast.
 */
export function addNodeCommands(program: Command): void {
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
    .action(async (flags: ServeFlags) => (await import("./serve-command.js")).serve(flags));
  addKeyCommands(program);
  addAdminCommands(program);
}
export { VERSION } from "../version.js";
