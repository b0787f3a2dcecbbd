import { createHash } from "node:crypto";

/**
 * A set of one write's records (by index) sent to one worker as one batch. A keyed write's part
 * carries the key its worker stores the part's result under: derived from the write's key and the
 * set of indices only (not the worker, not the attempt), so a retry that sends the same set again
 * is answered from the stored result, whichever worker takes it.
 */
export interface WritePart {
  readonly indices: readonly number[];
  readonly key?: string | undefined;
}

/** Groups indices by their owner, in the order of their first appearance. */
export function groupByOwner(
  indices: readonly number[],
  ownerOf: (index: number) => string,
): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const index of indices) {
    const owner = ownerOf(index);
    let group = groups.get(owner);
    if (!group) groups.set(owner, (group = []));
    group.push(index);
  }
  return groups;
}

/** A short digest of a set of indices (order does not matter), for part keys. */
export function digestOfIndices(indices: readonly number[]): string {
  const sorted = [...indices].sort((a, b) => a - b);
  return createHash("sha256").update(sorted.join(",")).digest("base64url").slice(0, 22);
}

/**
 * The parts a logged write left behind: the parts of later log entries take the indices they hold
 * away from earlier ones (a part is logged again in pieces only after it was refused as a whole),
 * so every index belongs to the last part that held it. Indices not in `valid` (out of range for a
 * retry with fewer records, or failing its own checks) are dropped.
 */
export function latestParts(
  entries: ReadonlyArray<ReadonlyArray<readonly number[]>>,
  valid: (index: number) => boolean,
): number[][] {
  const latest = new Map<number, number>();
  const parts = entries.flat();
  parts.forEach((part, position) => {
    for (const index of part) latest.set(index, position);
  });
  const kept: number[][] = [];
  parts.forEach((part, position) => {
    const still = part.filter((index) => latest.get(index) === position && valid(index));
    // A part is resent only whole (its key stands for exactly its indices): one whose indices a
    // later part took in part is logged again as it remains, under its own new key.
    if (still.length > 0) kept.push(still);
  });
  return kept;
}
