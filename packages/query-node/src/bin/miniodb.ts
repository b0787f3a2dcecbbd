#!/usr/bin/env node
import { Command } from "commander";
import { MiniodbError } from "@miniodb/core";
import { VERSION } from "../version.js";
import { addNodeCommands } from "./node-commands.js";

// The node entry point (`miniodb-node`): what images and rollouts start. The `miniodb` command of
// @miniodb/cli has these commands plus the data commands (query, write, import, tables, status).
const program = new Command("miniodb").description("MinIODB: records in, SQL out.").version(VERSION);
addNodeCommands(program);

program.parseAsync().catch((error: unknown) => {
  const message =
    error instanceof MiniodbError ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`miniodb: ${message}\n`);
  const isConfigError =
    error instanceof MiniodbError && ["invalid_argument", "failed_precondition"].includes(error.code);
  process.exit(isConfigError ? 2 : 1);
});
