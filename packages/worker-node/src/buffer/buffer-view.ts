import type { Manifest } from "@miniodb/core";
import { rowLineIdLiteral } from "../ingest/row-line.js";
import type { BufferedRows, FlushProgress } from "./table-buffer.js";

/**
 * The buffered row lines of a capture (see TableBuffer.capture) that `manifest` does not hold yet.
 * Rows whose flush committed at or before the manifest's version, or whose files the manifest
 * lists, are left out: the manifest's files already give them to the query. With `ids`, only the
 * rows of those ids.
 */
export function* rowsOutsideManifest(
  parts: readonly BufferedRows[],
  manifest: Manifest,
  ids?: Iterable<string>,
): Iterable<string> {
  const wanted = ids === undefined ? undefined : new Set([...ids].map((id) => JSON.stringify(id)));
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
    for (const row of part.rows.lines(part.length))
      if (!wanted || wanted.has(rowLineIdLiteral(row))) yield row;
  }
}
