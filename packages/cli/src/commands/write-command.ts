import type { Command } from "commander";
import { connect, UsageError, withConnectionOptions, type ConnectionFlags } from "../connection-options.js";
import { toRecordInput } from "../import/to-record-input.js";

interface WriteFlags extends ConnectionFlags {
  readonly id?: string;
  readonly timestamp?: string;
  readonly set: string[];
}

/** `miniodb write <table> [record]`: one record with WriteData, from JSON and/or flags. */
export function addWriteCommand(program: Command): void {
  withConnectionOptions(
    program
      .command("write")
      .description("write one record")
      .argument("<table>", "the table")
      .argument(
        "[record]",
        'the record as JSON: flat {"id", "timestamp", ...columns} or {"id", "timestamp", "payload": {...}}',
      )
      .option("--id <id>", "record id (default: the table's id strategy)")
      .option("--timestamp <time>", "RFC 3339 time or epoch milliseconds (default: now)")
      .option(
        "--set <column=value>",
        "a payload column; value is JSON when it parses, else a string (repeatable)",
        (value: string, previous: string[]) => [...previous, value],
        [],
      ),
  ).action(async (table: string, recordJson: string | undefined, flags: WriteFlags) => {
    const fields: Record<string, unknown> = recordJson === undefined ? {} : parseRecordJson(recordJson);
    for (const assignment of flags.set) {
      const equals = assignment.indexOf("=");
      if (equals < 1) throw new UsageError(`--set wants column=value, got "${assignment}"`);
      fields[assignment.slice(0, equals)] = jsonOrString(assignment.slice(equals + 1));
    }
    if (flags.id !== undefined) fields["id"] = flags.id;
    if (flags.timestamp !== undefined)
      fields["timestamp"] = /^\d+$/.test(flags.timestamp) ? Number(flags.timestamp) : flags.timestamp;
    let record;
    try {
      record = toRecordInput(fields);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (Object.keys(record.payload).length === 0)
      throw new UsageError("the record has no columns: give a JSON record or --set column=value");
    const response = await connect(flags).writeRecord(table, record);
    process.stdout.write(`${response.message}\n`);
  });
}

function parseRecordJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the record is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new UsageError("the record must be a JSON object");
  return value as Record<string, unknown>;
}

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
