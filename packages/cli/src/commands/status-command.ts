import { toJson } from "@bufbuild/protobuf";
import type { Command } from "commander";
import { GetStatusResponseSchema, HealthCheckResponseSchema } from "@miniodb/proto";
import { connect, withConnectionOptions, type ConnectionFlags } from "../connection-options.js";

/** `miniodb status`: the server's health and cluster status as JSON; exit 1 unless healthy. */
export function addStatusCommand(program: Command): void {
  withConnectionOptions(
    program
      .command("status")
      .description("print the server's health and cluster status (exit 1 unless healthy)"),
  ).action(async (flags: ConnectionFlags) => {
    const { db } = connect(flags);
    const [health, status] = await Promise.all([db.healthCheck({}), db.getStatus({})]);
    const report = {
      health: toJson(HealthCheckResponseSchema, health),
      status: toJson(GetStatusResponseSchema, status),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (health.status !== "healthy") process.exitCode = 1;
  });
}
