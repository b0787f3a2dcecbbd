import type { Command } from "commander";

interface ConnectionFlags {
  url: string;
  token?: string;
}

/**
 * Operator commands that call a running node's REST API and print its JSON answer: compaction,
 * metadata backups and restores, data restores, primary repair, jobs. Exit status 1 when the node
 * answers an error.
 */
export function addAdminCommands(program: Command): void {
  const command = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .option("--url <url>", "the node's REST address", "http://127.0.0.1:8081")
      .option("--token <token>", "bearer token, when the node demands one");
  command("compact [table]", "retention and compaction of one table (or every table) now")
    .option("--async", "return the job id at once")
    .action((table: string | undefined, flags: ConnectionFlags & { async?: boolean }) =>
      call(flags, "POST", "/v1/compaction", { table: table ?? "", async: Boolean(flags.async) }),
    );
  command("backup", "take a metadata backup now")
    .option("--force", "take a new one even while one is running")
    .action((flags: ConnectionFlags & { force?: boolean }) =>
      call(flags, "POST", "/v1/metadata/backup", { force: Boolean(flags.force) }),
    );
  command("backups", "list metadata backups")
    .option("--days <days>", "of the last days (0: all)", "7")
    .action((flags: ConnectionFlags & { days: string }) =>
      call(flags, "GET", `/v1/metadata/backups?days=${encodeURIComponent(flags.days)}`),
    );
  command("restore-metadata", "restore metadata from a backup (alias: restore)")
    .alias("restore")
    .option("--file <backup_file>", "the backup to restore")
    .option("--latest", "restore the latest backup")
    .option("--dry-run", "report what would change, change nothing")
    .option("--validate", "check the backup and its data files first")
    .option("--overwrite", "replace existing tables")
    .option("--parallel", "restore tables in parallel")
    .option("--table-pattern <glob>", "only tables matching this pattern")
    .option("--key-pattern <glob...>", "only entries matching these key patterns")
    .action((flags: ConnectionFlags & Record<string, unknown>) =>
      call(flags, "POST", "/v1/metadata/restore", {
        backup_file: flags["file"] ?? "",
        from_latest: Boolean(flags["latest"]),
        dry_run: Boolean(flags["dryRun"]),
        validate: Boolean(flags["validate"]),
        overwrite: Boolean(flags["overwrite"]),
        parallel: Boolean(flags["parallel"]),
        filters: flags["tablePattern"] ? { table_pattern: flags["tablePattern"] } : {},
        key_patterns: flags["keyPattern"] ?? [],
      }),
    );
  command("restore-data <table>", "restore a table's records from the backup pool")
    .option("--ids <ids>", "comma-separated record ids")
    .option("--from <time>", "RFC 3339 start (inclusive)")
    .option("--to <time>", "RFC 3339 end (exclusive)")
    .option("--into <table>", "write into this table instead")
    .option("--file <backup_file>", "the metadata backup to read (default: the latest)")
    .option("--dry-run", "count only")
    .option("--async", "return the job id at once")
    .action((table: string, flags: ConnectionFlags & Record<string, string | boolean | undefined>) =>
      call(flags, "POST", "/v1/restore/data", {
        table,
        target_table: flags["into"] ?? "",
        ids: typeof flags["ids"] === "string" ? flags["ids"].split(",").filter(Boolean) : [],
        ...(flags["from"] ? { start_time: flags["from"] } : {}),
        ...(flags["to"] ? { end_time: flags["to"] } : {}),
        backup_file: flags["file"] ?? "",
        dry_run: Boolean(flags["dryRun"]),
        async: Boolean(flags["async"]),
      }),
    );
  command("repair-primary", "copy what the primary pool lacks from the backup pool").action(
    (flags: ConnectionFlags) => call(flags, "POST", "/v1/storage/repair", {}),
  );
  command("job <id>", "show a job").action((id: string, flags: ConnectionFlags) =>
    call(flags, "GET", `/v1/jobs/${encodeURIComponent(id)}`),
  );
}

async function call(flags: ConnectionFlags, method: string, path: string, body?: unknown): Promise<void> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (flags.token) headers["authorization"] = `Bearer ${flags.token}`;
  const response = await fetch(new URL(path, flags.url), {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  process.stdout.write(`${text}\n`);
  if (!response.ok) process.exitCode = 1;
}
