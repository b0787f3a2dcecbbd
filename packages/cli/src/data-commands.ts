import type { Command } from "commander";
import { addImportCommand } from "./commands/import-command.js";
import { addQueryCommand } from "./commands/query-command.js";
import { addStatusCommand } from "./commands/status-command.js";
import { addTablesCommand } from "./commands/tables-command.js";
import { addWriteCommand } from "./commands/write-command.js";

/** The commands that talk to a running server through @miniodb/client. */
export function addDataCommands(program: Command): void {
  addQueryCommand(program);
  addWriteCommand(program);
  addImportCommand(program);
  addTablesCommand(program);
  addStatusCommand(program);
}
