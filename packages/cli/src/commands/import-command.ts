import { Option, type Command } from "commander";
import {
  connect,
  parsePositiveInteger,
  UsageError,
  withConnectionOptions,
  type ConnectionFlags,
} from "../connection-options.js";
import { createImportProgress } from "../import/import-progress.js";
import { importRecords } from "../import/import-records.js";
import {
  formatOfFileName,
  INPUT_FORMATS,
  openRecordSource,
  type InputFormat,
} from "../import/record-sources.js";
import { DEFAULT_RECORD_FIELDS } from "../import/to-record-input.js";

interface ImportFlags extends ConnectionFlags {
  readonly table: string;
  readonly format?: InputFormat;
  readonly idColumn: string;
  readonly timestampColumn: string;
  readonly batchSize: number;
  readonly createTable?: boolean;
  readonly progress: boolean;
}

/** Problems printed at most; the rest are counted. */
const MAX_PRINTED_PROBLEMS = 1_000;

/**
 * `miniodb import <file> --table <t>`: JSON array, NDJSON or CSV records over one StreamWrite.
 * A progress bar on a terminal, a summary line at the end, one line per rejected record on stderr,
 * exit status 1 when any record was rejected.
 */
export function addImportCommand(program: Command): void {
  withConnectionOptions(
    program
      .command("import")
      .description("write the records of a JSON array, NDJSON or CSV file (batched over StreamWrite)")
      .argument("<file>", 'the file; "-" reads stdin (NDJSON unless --format says otherwise)')
      .requiredOption("-t, --table <table>", "the table to write into")
      .addOption(
        new Option("--format <format>", "input format (default: from the extension)").choices(INPUT_FORMATS),
      )
      .option("--id-column <name>", "field that holds the record id", DEFAULT_RECORD_FIELDS.idField)
      .option(
        "--timestamp-column <name>",
        "field that holds the record time (RFC 3339 or epoch milliseconds)",
        DEFAULT_RECORD_FIELDS.timestampField,
      )
      .option("--batch-size <records>", "records per StreamWrite message", parsePositiveInteger, 1_000)
      .option("--create-table", "create the table first when it does not exist")
      .option("--no-progress", "no progress bar, even on a terminal"),
  ).action(async (file: string, flags: ImportFlags) => {
    const format = flags.format ?? (file === "-" ? "ndjson" : formatOfFileName(file));
    if (!format)
      throw new UsageError(
        `cannot tell the format of ${file}: name it .json, .ndjson or .csv, or give --format`,
      );
    const client = connect(flags);
    const source = await openRecordSource(file, format);
    if (flags.createTable) await client.createTable(flags.table, {}, { ifNotExists: true });
    const problems: string[] = [];
    let problemCount = 0;
    const progress = createImportProgress(flags.progress ? process.stderr : undefined, source.total);
    const started = performance.now();
    let result;
    try {
      result = await importRecords(client, flags.table, source, {
        fields: { idField: flags.idColumn, timestampField: flags.timestampColumn },
        batchSize: flags.batchSize,
        onProgress: progress.update,
        onRejected: (problem) => {
          if (problemCount++ < MAX_PRINTED_PROBLEMS) problems.push(problem);
        },
      });
    } finally {
      progress.stop();
    }
    for (const problem of problems) process.stderr.write(`${problem}\n`);
    if (problemCount > problems.length)
      process.stderr.write(`… and ${problemCount - problems.length} more problems\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `imported ${result.written} of ${result.read} records into ${flags.table} in ${seconds} s` +
        (result.rejected > 0 ? `; ${result.rejected} rejected\n` : "\n"),
    );
    if (result.rejected > 0) process.exitCode = 1;
  });
}
