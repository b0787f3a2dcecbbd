import { Option, type Command } from "commander";
import {
  connect,
  parsePositiveInteger,
  withConnectionOptions,
  type ConnectionFlags,
} from "../connection-options.js";
import { ROW_FORMATS, writeRows, type RowFormat } from "../output/row-formats.js";

interface QueryFlags extends ConnectionFlags {
  readonly format: RowFormat;
  readonly pageSize?: number;
}

/** `miniodb query "<sql>"`: every row of the result, paged with the cursor, in one of four formats. */
export function addQueryCommand(program: Command): void {
  withConnectionOptions(
    program
      .command("query")
      .description("run SQL and print every row of the result (pages through it with the cursor)")
      .argument("<sql>", 'the SQL, e.g. "SELECT * FROM events LIMIT 10"')
      .addOption(
        new Option("-f, --format <format>", "output format: table streams nothing until the end")
          .choices(ROW_FORMATS)
          .default("table"),
      )
      .option("--page-size <rows>", "rows fetched per QueryData call (default 1000)", parsePositiveInteger),
  ).action(async (sql: string, flags: QueryFlags) => {
    const client = connect(flags);
    const rows = client.query(sql, flags.pageSize ? { pageSize: flags.pageSize } : {});
    await writeRows(rows, flags.format, process.stdout);
  });
}
