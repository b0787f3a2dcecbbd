#!/usr/bin/env node
import { Command } from "commander";
import { addNodeCommands, VERSION } from "@miniodb/query-node/commands";
import { addDataCommands } from "../data-commands.js";
import { describeFailure } from "../report-failure.js";

const program = new Command("miniodb").description("MinIODB: records in, SQL out.").version(VERSION);
addNodeCommands(program);
addDataCommands(program);

program.parseAsync().catch((error: unknown) => {
  const { message, exitCode } = describeFailure(error);
  process.stderr.write(`miniodb: ${message}\n`);
  process.exit(exitCode);
});
