import { metadataKeys, MiniodbError, type TablePart } from "@miniodb/core";
import { compileTableGlob } from "../services/table-glob.js";
import type { MetadataSnapshot, TableSnapshot } from "./metadata-snapshot.js";

/** One metadata key of a snapshot that a restore may write. */
export interface RestoreEntry {
  /** The key in the Redis layout (see core metadata-keys), which key_patterns match. */
  readonly key: string;
  readonly part: TablePart | "backup";
}

export interface TableSelection {
  readonly table: TableSnapshot;
  readonly parts: ReadonlySet<TablePart>;
  readonly entries: readonly RestoreEntry[];
}

export interface RestoreSelection {
  readonly tables: readonly TableSelection[];
  readonly backups: MetadataSnapshot["backups"];
  readonly total: number;
}

const PARTS: readonly TablePart[] = ["config", "schemas", "manifest", "tombstones"];
const FILTERS = new Set(["table_pattern"]);

/**
 * What of a snapshot a restore covers: tables whose names match `filters.table_pattern` (a
 * ListTables glob), and of those the keys (`table:{<t>}:config|schemas|manifest|tombstones`,
 * `backups:{catalog}` per backup record) matching any of `keyPatterns` (Redis globs: `*`, `?`;
 * none means all). Unknown filters are invalid_argument; a selection of nothing is not_found.
 */
export function selectRestoreEntries(
  snapshot: MetadataSnapshot,
  filters: Readonly<Record<string, string>>,
  keyPatterns: readonly string[],
  backupName: string,
): RestoreSelection {
  const unknown = Object.keys(filters).filter((key) => !FILTERS.has(key));
  if (unknown.length > 0)
    throw new MiniodbError(
      "invalid_argument",
      `unknown restore filter ${unknown.join(", ")}; known: table_pattern`,
      {
        details: { field: "filters" },
      },
    );
  const tableMatches = compileTableGlob(filters["table_pattern"] ?? "");
  const keyMatchers = keyPatterns.filter((pattern) => pattern !== "").map(compileTableGlob);
  const keyMatches = (key: string) => keyMatchers.length === 0 || keyMatchers.some((matches) => matches(key));
  const tables: TableSelection[] = [];
  for (const table of snapshot.tables) {
    if (!tableMatches(table.entry.name)) continue;
    const entries = PARTS.map((part) => ({ key: metadataKeys.table(table.entry.name, part), part })).filter(
      (entry) => keyMatches(entry.key),
    );
    if (entries.length > 0)
      tables.push({ table, parts: new Set(entries.map((entry) => entry.part)), entries });
  }
  const backups =
    keyMatches(metadataKeys.backups()) && filters["table_pattern"] === undefined ? snapshot.backups : [];
  const total = tables.reduce((sum, table) => sum + table.entries.length, 0) + backups.length;
  if (total === 0)
    throw new MiniodbError(
      "not_found",
      `nothing in backup ${backupName} matches the filters and key patterns`,
      {
        details: { backup_file: backupName },
      },
    );
  return { tables, backups, total };
}
