import type { Manifest } from "@miniodb/core";
import type { BufferedRows, FlushProgress } from "./table-buffer.js";

/**
 * The buffered row lines of a capture (see TableBuffer.capture) that `manifest` does not hold yet.
 * Rows whose flush committed at or before the manifest's version, or whose files the manifest
 * lists, are left out: the manifest's files already give them to the query.
 */
export function* rowsOutsideManifest(parts: readonly BufferedRows[], manifest: Manifest): Iterable<string> {
  let keys: Set<string> | undefined;
  const inManifest = (progress: FlushProgress): boolean => {
    let current = progress;
    while (current.mergedInto) current = current.mergedInto;
    if (current.committedVersion !== undefined && current.committedVersion <= manifest.version) return true;
    if (current.fileKeys.length === 0) return false;
    keys ??= new Set(manifest.files.map((file) => file.key));
    return current.fileKeys.some((key) => keys!.has(key));
  };
  for (const part of parts) {
    if (inManifest(part.progress)) continue;
    for (let index = 0; index < part.length; index++) yield part.rows[index]!;
  }
}
