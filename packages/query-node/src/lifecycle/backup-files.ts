import {
  METADATA_BACKUP_PREFIX,
  metadataBackupKey,
  MiniodbError,
  type ObjectInfo,
  type ObjectStore,
} from "@miniodb/core";

/** A stored metadata backup object. */
export interface BackupObject {
  readonly id: string;
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

/** `backup_YYYYMMDD_HHMMSS_mmm` (UTC): ids sort by time. */
export function backupIdAt(at: Date): string {
  const iso = at.toISOString();
  return `backup_${iso.slice(0, 10).replaceAll("-", "")}_${iso.slice(11, 19).replaceAll(":", "")}_${iso.slice(20, 23)}`;
}

/**
 * The metadata backups in a store, found by listing (the store is the source of truth: it is what
 * remains when the metadata store is lost). Newest first.
 */
export async function listBackupObjects(store: ObjectStore): Promise<BackupObject[]> {
  const found: BackupObject[] = [];
  for await (const object of store.list(METADATA_BACKUP_PREFIX)) {
    const id = idOfKey(object);
    if (id) found.push({ id, key: object.key, size: object.size, lastModified: object.lastModified });
  }
  return found.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/**
 * The object key of a backup named as the original's `backup_file` allows: `backup_x.json`,
 * `backup_x`, or the full key. invalid_argument for anything else.
 */
export function backupKeyOf(file: string): string {
  const name = file.startsWith(METADATA_BACKUP_PREFIX) ? file.slice(METADATA_BACKUP_PREFIX.length) : file;
  const id = name.endsWith(".json") ? name.slice(0, -".json".length) : name;
  if (id === "" || id.includes("/"))
    throw new MiniodbError("invalid_argument", `${JSON.stringify(file)} is not a backup file name`, {
      details: { field: "backup_file" },
    });
  return metadataBackupKey(id);
}

function idOfKey(object: ObjectInfo): string | undefined {
  const name = object.key.slice(METADATA_BACKUP_PREFIX.length);
  return name.endsWith(".json") && !name.includes("/") ? name.slice(0, -".json".length) : undefined;
}
