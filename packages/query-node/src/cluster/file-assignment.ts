/** A file to scan, by size. */
export interface SizedFile {
  readonly key: string;
  readonly sizeBytes: number;
}

/**
 * Assigns files to workers balanced by bytes: largest first, each to the worker with the fewest
 * bytes so far (ties to the earlier worker). Every worker gets a (possibly empty) list; the
 * largest total is at most the ideal share plus the largest file.
 */
export function assignFilesByBytes<F extends SizedFile>(
  files: readonly F[],
  workers: readonly string[],
): Map<string, F[]> {
  const assigned = new Map<string, F[]>(workers.map((worker) => [worker, []]));
  if (workers.length === 0) return assigned;
  const bytes = workers.map(() => 0);
  const bySize = [...files].sort((a, b) => b.sizeBytes - a.sizeBytes || (a.key < b.key ? -1 : 1));
  for (const file of bySize) {
    let lightest = 0;
    for (let index = 1; index < workers.length; index++)
      if (bytes[index]! < bytes[lightest]!) lightest = index;
    bytes[lightest]! += file.sizeBytes;
    assigned.get(workers[lightest]!)!.push(file);
  }
  return assigned;
}
