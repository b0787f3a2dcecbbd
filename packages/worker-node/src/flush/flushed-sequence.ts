import type { MetadataStore } from "@miniodb/core";

/**
 * The highest sequence node `nodeId` has committed to the table's manifest: its rows up to it are
 * in storage (or purged), so a WAL replay or a revival of parked rows skips them.
 */
export async function flushedSequence(
  metadata: MetadataStore,
  table: string,
  nodeId: string,
): Promise<bigint> {
  const manifest = await metadata.getManifest(table);
  let highest = 0n;
  for (const file of manifest.files)
    if (file.nodeId === nodeId && file.maxSequence > highest) highest = file.maxSequence;
  return highest;
}
