import type { Logger } from "pino";
import type { ResolvedConfig } from "./config/load-config.js";
import { createRequestHandler } from "./server/create-request-handler.js";
import { ProtocolServer } from "./server/protocol-server.js";
import { createHealthCheck } from "./services/health-check.js";
import { VERSION } from "./version.js";

export interface RunningNode {
  /** Bound ports by name ("grpc", "rest"); equal when both names share one port. */
  readonly ports: Readonly<Record<"grpc" | "rest", number>>;
  /** Graceful shutdown, in reverse order of start. */
  close(): Promise<void>;
}

/**
 * Starts a node in the all-in-one mode: the public API on both configured ports, every protocol
 * on each. Wiring only; the parts live in their own modules.
 */
export async function startAllInOne(config: ResolvedConfig, logger: Logger): Promise<RunningNode> {
  const health = createHealthCheck({ nodeId: config.node.id, mode: "all-in-one", version: VERSION });
  const handler = createRequestHandler({ health, logger: logger.child({ component: "api" }) });
  const { host, grpc_port, rest_port } = config.server;
  const grpc = await ProtocolServer.listen({ host, port: grpc_port, handler });
  let rest = grpc;
  try {
    if (rest_port !== grpc_port || rest_port === 0)
      rest = await ProtocolServer.listen({ host, port: rest_port, handler });
  } catch (error) {
    await grpc.close(0);
    throw error;
  }
  const ports = { grpc: grpc.address.port, rest: rest.address.port };
  logger.info({ host, ports, version: VERSION }, "listening");
  return {
    ports,
    async close() {
      const graceMs = config.server.shutdown_grace_seconds * 1000;
      await Promise.all([grpc.close(graceMs), rest === grpc ? undefined : rest.close(graceMs)]);
      logger.info("stopped");
    },
  };
}
