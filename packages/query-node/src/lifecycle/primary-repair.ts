import { METADATA_BACKUP_PREFIX, type MetadataStore, type ObjectStore } from "@miniodb/core";
import type { ProgressReporter } from "./job-tracker.js";
import { mapLimit } from "./map-limit.js";

export interface PrimaryRepairOutcome {
  readonly objects_checked: number;
  readonly objects_copied: number;
  readonly bytes_copied: number;
  /** Listed files neither pool holds. */
  readonly objects_missing: number;
}

/**
 * Copies back to the primary pool every object it lacks that the backup pool holds: the data files
 * every table's manifest lists, and the metadata backups. For a primary that lost objects (or was
 * replaced by an empty one) while the node kept serving from the backup.
 */
export async function repairPrimary(
  stores: { metadata: MetadataStore; primary: ObjectStore; backup: ObjectStore },
  report: ProgressReporter,
): Promise<PrimaryRepairOutcome> {
  const { metadata, primary, backup } = stores;
  const keys: string[] = [];
  for (const table of await metadata.listTables())
    for (const file of (await metadata.getManifest(table.name)).files) keys.push(file.key);
  for await (const object of backup.list(METADATA_BACKUP_PREFIX)) keys.push(object.key);
  let copied = 0;
  let bytes = 0;
  let missing = 0;
  let checked = 0;
  report({ objects_total: keys.length });
  await mapLimit(keys, 8, async (key) => {
    if (!(await primary.head(key))) {
      if (await backup.head(key)) {
        const body = await backup.get(key);
        await primary.put(key, body);
        copied++;
        bytes += body.byteLength;
      } else missing++;
    }
    report({ objects_checked: ++checked, objects_copied: copied });
  });
  return { objects_checked: checked, objects_copied: copied, bytes_copied: bytes, objects_missing: missing };
}
