import type { DataFile } from "@miniodb/core";
import type { TombstoneIndex } from "@miniodb/executor";

/** When a partition's files are worth rewriting. */
export interface CompactionPolicy {
  /** Size compacted files aim for; files from half of it up count as large. */
  readonly targetFileBytes: number;
  /** Small files a (partition, node) needs before they are merged. */
  readonly minSmallFiles: number;
}

/** Files of one (partition, node) rewritten together into one file. */
export interface CompactionBin {
  readonly partition: string;
  readonly nodeId: string;
  readonly files: readonly DataFile[];
}

/**
 * Which files to rewrite, in bins of at most `targetFileBytes` of input (a single file may exceed
 * it). A file is a candidate when it is small or when a hard tombstone may hide some of its rows
 * (then rewriting it purges them); a (partition, node) with fewer than `minSmallFiles` small files
 * and no such file is left alone. Bins never mix nodes, so every file keeps meaning "rows this
 * node logged up to its highest sequence" for WAL replay. A bin of one clean file is dropped:
 * rewriting it would change nothing.
 */
export function planCompaction(
  files: readonly DataFile[],
  hardTombstones: TombstoneIndex,
  policy: CompactionPolicy,
): CompactionBin[] {
  const groups = new Map<string, DataFile[]>();
  for (const file of files) {
    const key = `${file.partition}/${file.nodeId}`;
    const group = groups.get(key) ?? [];
    group.push(file);
    groups.set(key, group);
  }
  const bins: CompactionBin[] = [];
  for (const group of groups.values()) {
    const dirty = new Set(group.filter((file) => hardTombstones.size > 0 && hardTombstones.touches(file)));
    const small = group.filter((file) => file.sizeBytes < policy.targetFileBytes / 2);
    const merge = small.length >= Math.max(2, policy.minSmallFiles);
    const candidates = group.filter((file) => dirty.has(file) || (merge && small.includes(file)));
    for (const files of pack(candidates, policy.targetFileBytes)) {
      if (files.length === 1 && !dirty.has(files[0]!)) continue;
      bins.push({ partition: files[0]!.partition, nodeId: files[0]!.nodeId, files });
    }
  }
  return bins.sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0));
}

/** Files in write order, packed greedily into bins of at most `limit` bytes. */
function pack(files: readonly DataFile[], limit: number): DataFile[][] {
  const ordered = [...files].sort((a, b) => (a.minSequence < b.minSequence ? -1 : 1));
  const bins: DataFile[][] = [];
  let current: DataFile[] = [];
  let bytes = 0;
  for (const file of ordered) {
    if (current.length > 0 && bytes + file.sizeBytes > limit) {
      bins.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.sizeBytes;
  }
  if (current.length > 0) bins.push(current);
  return bins;
}
