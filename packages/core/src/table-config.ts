import { MiniodbError } from "./miniodb-error.js";
import { RecordIdValidator, type IdValidationRules } from "./record-id.js";

/** How a table gets ids for records written without one. */
export type IdStrategy = "uuid" | "snowflake" | "custom" | "user_provided";
export const ID_STRATEGIES: readonly IdStrategy[] = ["uuid", "snowflake", "custom", "user_provided"];

/** A table's settings (TableConfig of the API), with every field present. */
export interface TableConfig {
  /** Buffered rows that trigger a flush. */
  readonly bufferSize: number;
  /** Seconds after the oldest buffered row that trigger a flush. */
  readonly flushIntervalSeconds: number;
  /** Days rows are kept; 0 keeps them forever. */
  readonly retentionDays: number;
  readonly backupEnabled: boolean;
  readonly properties: Readonly<Record<string, string>>;
  readonly idStrategy: IdStrategy;
  /** Prefix of generated ids. */
  readonly idPrefix: string;
  /** Generate an id when a record has none (otherwise such a record is invalid). */
  readonly autoGenerateId: boolean;
  readonly idValidation: IdValidationRules;
}

/** Defaults favour large files: a flush per 100k rows or 30 s. */
export const DEFAULT_TABLE_CONFIG: TableConfig = Object.freeze({
  bufferSize: 100_000,
  flushIntervalSeconds: 30,
  retentionDays: 0,
  backupEnabled: false,
  properties: Object.freeze({}),
  idStrategy: "user_provided",
  idPrefix: "",
  autoGenerateId: true,
  idValidation: Object.freeze({}),
});

export const MAX_BUFFER_SIZE = 10_000_000;
export const MAX_FLUSH_INTERVAL_SECONDS = 86_400;

/**
 * Fills in defaults for the fields a request left at zero/empty and checks every field, reporting
 * all problems in one invalid_argument error.
 */
export function normalizeTableConfig(
  input: Partial<TableConfig> = {},
  defaults = DEFAULT_TABLE_CONFIG,
): TableConfig {
  const problems: string[] = [];
  const pick = <K extends keyof TableConfig>(key: K, empty: (value: TableConfig[K]) => boolean) => {
    const value = input[key];
    return value === undefined || empty(value as TableConfig[K]) ? defaults[key] : (value as TableConfig[K]);
  };
  const config: TableConfig = {
    bufferSize: pick("bufferSize", (value) => value === 0),
    flushIntervalSeconds: pick("flushIntervalSeconds", (value) => value === 0),
    retentionDays: input.retentionDays ?? defaults.retentionDays,
    backupEnabled: input.backupEnabled ?? defaults.backupEnabled,
    properties: { ...(input.properties ?? defaults.properties) },
    idStrategy: pick("idStrategy", (value) => (value as string) === ""),
    idPrefix: input.idPrefix ?? defaults.idPrefix,
    autoGenerateId: input.autoGenerateId ?? defaults.autoGenerateId,
    idValidation: { ...(input.idValidation ?? defaults.idValidation) },
  };
  if (!isIntegerIn(config.bufferSize, 1, MAX_BUFFER_SIZE))
    problems.push(`buffer_size must be in [1, ${MAX_BUFFER_SIZE}]`);
  if (!isIntegerIn(config.flushIntervalSeconds, 1, MAX_FLUSH_INTERVAL_SECONDS)) {
    problems.push(`flush_interval_seconds must be in [1, ${MAX_FLUSH_INTERVAL_SECONDS}]`);
  }
  if (!isIntegerIn(config.retentionDays, 0, 36_500)) problems.push("retention_days must be in [0, 36500]");
  if (!ID_STRATEGIES.includes(config.idStrategy)) {
    problems.push(
      `id_strategy must be one of ${ID_STRATEGIES.join(", ")}, got ${JSON.stringify(config.idStrategy)}`,
    );
  }
  if (config.idPrefix && !/^[A-Za-z0-9_-]{1,64}$/.test(config.idPrefix)) {
    problems.push("id_prefix may contain only letters, digits, '_' and '-', at most 64");
  }
  try {
    new RecordIdValidator(config.idValidation);
  } catch (error) {
    problems.push((error as Error).message.replace(/^invalid id_validation: /, "id_validation: "));
  }
  if (problems.length > 0) {
    throw new MiniodbError("invalid_argument", `invalid table config: ${problems.join("; ")}`, {
      details: { field: "config" },
    });
  }
  return config;
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
