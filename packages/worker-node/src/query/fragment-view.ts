import type { ColumnDef, ColumnType } from "@miniodb/core";
import type { ParquetFileGroup, TableViewSource } from "@miniodb/executor";
import type { FragmentColumn, TableInput } from "@miniodb/proto/cluster";

/** A fragment's table input with its files and buffered rows as local paths. */
export interface LocalTableInput {
  readonly input: TableInput;
  /** Local path of each object key of `input.files`. */
  readonly paths: ReadonlyMap<string, string>;
  readonly bufferPath?: string | undefined;
  readonly tombstonesPath?: string | undefined;
  readonly maxLineBytes: number;
}

/**
 * The view a fragment reads one table through: the same live rows a single node's view shows
 * (schema versions widened to today's columns, tombstones anti-joined, the retention window
 * applied), over the files assigned to this worker and its captured buffer.
 */
export function fragmentViewSource(local: LocalTableInput): TableViewSource {
  const { input } = local;
  const schemas = new Map(input.schemas.map((schema) => [schema.version, columnsOf(schema.columns)]));
  const groups = new Map<string, { version: number; tombstoned: boolean; paths: string[] }>();
  for (const file of input.files) {
    const key = `${file.schemaVersion}/${file.tombstoned}`;
    const group = groups.get(key) ?? { version: file.schemaVersion, tombstoned: file.tombstoned, paths: [] };
    group.paths.push(local.paths.get(file.objectKey)!);
    groups.set(key, group);
  }
  const fileGroups: ParquetFileGroup[] = [...groups.values()].map((group) => ({
    paths: group.paths,
    columns: schemas.get(group.version) ?? [],
    tombstoned: group.tombstoned,
  }));
  return {
    name: input.table,
    columns: columnsOf(input.columns),
    fileGroups,
    bufferPath: local.bufferPath,
    tombstonesPath: local.tombstonesPath,
    maxLineBytes: local.maxLineBytes,
    minTimestamp: input.minTimestampMicros === undefined ? undefined : Number(input.minTimestampMicros),
  };
}

function columnsOf(columns: readonly FragmentColumn[]): ColumnDef[] {
  return columns.map((column) => ({ name: column.name, type: column.type as ColumnType }));
}
