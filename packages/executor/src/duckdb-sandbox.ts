import { quoteLiteral } from "./sql-quote.js";

export interface DuckDbSandboxOptions {
  /** The only directory the instance may read or write. */
  readonly directory: string;
  /** Where DuckDB spills; inside `directory`. */
  readonly tempDirectory: string;
  readonly memoryLimit?: string | undefined;
  readonly threads?: number | undefined;
  /** Settings applied before the configuration is locked. */
  readonly extraSettings?: readonly string[];
}

/**
 * The SET statements that confine a DuckDB instance: file access only under `directory`, no
 * extension installs or autoloads, no external access, and the configuration locked last so no
 * later statement can undo it. Used by the query engine and by the Parquet writer.
 *
 * Every one is `SET GLOBAL`: a plain `SET` of a setting that can be per connection (`TimeZone`,
 * `parquet_metadata_cache`) applies only to the connection running it, and these run on a setup
 * connection while queries use others. `extraSettings` must be `SET GLOBAL` statements too.
 */
export function duckDbSandboxStatements(options: DuckDbSandboxOptions): string[] {
  const statements = [
    `SET GLOBAL allowed_directories = [${quoteLiteral(options.directory)}]`,
    `SET GLOBAL temp_directory = ${quoteLiteral(options.tempDirectory)}`,
    // TIMESTAMP columns hold UTC wall time: now(), casts and date parts must agree whatever the
    // host's zone (the bundled ICU would otherwise apply it), and users cannot change it once locked.
    "SET GLOBAL TimeZone = 'UTC'",
    "SET GLOBAL autoinstall_known_extensions = false",
    "SET GLOBAL autoload_known_extensions = false",
    ...(options.extraSettings ?? []),
  ];
  if (options.memoryLimit) statements.push(`SET GLOBAL memory_limit = ${quoteLiteral(options.memoryLimit)}`);
  if (options.threads) statements.push(`SET GLOBAL threads = ${Math.max(1, Math.floor(options.threads))}`);
  statements.push("SET GLOBAL enable_external_access = false", "SET GLOBAL lock_configuration = true");
  return statements;
}
