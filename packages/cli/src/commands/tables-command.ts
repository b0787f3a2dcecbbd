import { toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Option, type Command } from "commander";
import { TableInfoSchema, type TableInfo } from "@miniodb/proto";
import {
  connect,
  parsePositiveInteger,
  withConnectionOptions,
  type ConnectionFlags,
} from "../connection-options.js";
import { writeRows } from "../output/row-formats.js";

/** `miniodb tables list|create|describe|drop`. */
export function addTablesCommand(program: Command): void {
  const tables = program.command("tables").description("list, create, describe and drop tables");
  withConnectionOptions(
    tables
      .command("list", { isDefault: true })
      .description("list tables (the default subcommand)")
      .argument("[pattern]", 'glob: "prefix*", "*suffix", an exact name', "*")
      .addOption(
        new Option("-f, --format <format>", "output format").choices(["table", "json"]).default("table"),
      ),
  ).action(async (pattern: string, flags: ConnectionFlags & { format: "table" | "json" }) => {
    const list = await connect(flags).listTables(pattern);
    if (flags.format === "json") return printJson(list.map((info) => toJson(TableInfoSchema, info)));
    await writeRows(toAsync(list.map(summaryRow)), "table", process.stdout);
  });
  withConnectionOptions(
    tables
      .command("create")
      .description("create a table")
      .argument("<name>", "the table")
      .option("--buffer-size <rows>", "rows buffered before a flush", parsePositiveInteger)
      .option("--flush-interval <seconds>", "seconds before a flush", parsePositiveInteger)
      .option("--retention-days <days>", "days records are kept (0: forever)", parseCount)
      .option("--no-backup", "do not replicate to the backup pool")
      .option("--id-strategy <strategy>", "uuid | snowflake | custom | user_provided")
      .option("--if-not-exists", "succeed when the table exists"),
  ).action(async (name: string, flags: ConnectionFlags & CreateFlags) => {
    const response = await connect(flags).createTable(
      name,
      {
        ...(flags.bufferSize ? { bufferSize: flags.bufferSize } : {}),
        ...(flags.flushInterval ? { flushIntervalSeconds: flags.flushInterval } : {}),
        ...(flags.retentionDays !== undefined ? { retentionDays: flags.retentionDays } : {}),
        ...(flags.backup === false ? { backupEnabled: false } : {}),
        ...(flags.idStrategy ? { idStrategy: flags.idStrategy } : {}),
      },
      { ifNotExists: Boolean(flags.ifNotExists) },
    );
    process.stdout.write(`${response.message}\n`);
  });
  withConnectionOptions(
    tables
      .command("describe")
      .description("show a table's configuration and statistics")
      .argument("<name>", "the table"),
  ).action(async (name: string, flags: ConnectionFlags) => {
    printJson(toJson(TableInfoSchema, await connect(flags).getTable(name)));
  });
  withConnectionOptions(
    tables
      .command("drop")
      .description("drop a table and its data")
      .argument("<name>", "the table")
      .option("--if-exists", "succeed when the table does not exist")
      .option("--cascade", "also drop what depends on it"),
  ).action(async (name: string, flags: ConnectionFlags & { ifExists?: boolean; cascade?: boolean }) => {
    const response = await connect(flags).deleteTable(name, {
      ifExists: Boolean(flags.ifExists),
      cascade: Boolean(flags.cascade),
    });
    process.stdout.write(`${response.message}\n`);
  });
}

interface CreateFlags {
  readonly bufferSize?: number;
  readonly flushInterval?: number;
  readonly retentionDays?: number;
  readonly backup: boolean;
  readonly idStrategy?: string;
  readonly ifNotExists?: boolean;
}

function summaryRow(info: TableInfo): Record<string, unknown> {
  return {
    name: info.name,
    status: info.status,
    records: Number(info.stats?.recordCount ?? 0),
    files: Number(info.stats?.fileCount ?? 0),
    bytes: Number(info.stats?.sizeBytes ?? 0),
    created: info.createdAt ? timestampDate(info.createdAt).toISOString() : null,
    last_write: info.lastWrite ? timestampDate(info.lastWrite).toISOString() : null,
  };
}

function parseCount(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`not a whole number: ${value}`);
  return number;
}

async function* toAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
