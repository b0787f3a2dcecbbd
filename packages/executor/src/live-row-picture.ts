import type { DataFile } from "@miniodb/core";

/** What a query read of one table: the files of one schema version that tombstones touch. */
export interface LiveRowsRequest {
  readonly table: string;
  readonly schemaVersion: number;
  /** The query's files of that version that tombstones may touch; all written with that version. */
  readonly files: readonly DataFile[];
  /** The key of every file in the table's manifest, as the query read it. */
  readonly manifestKeys: ReadonlySet<string>;
  /** What all of the table's tombstones hide, as the query read them (TombstoneIndex.hidden). */
  readonly hidden: ReadonlyMap<string, bigint>;
  /** `performance.now()` just before the query started reading the tombstones. */
  readonly tombstonesReadAt: number;
}

/** A live-row table's content: the live rows of `files` as `hidden` leaves them. */
export interface Picture {
  readonly files: readonly DataFile[];
  /** The highest tombstone sequence per id: what the rows removed were hidden by. */
  readonly hidden: ReadonlyMap<string, bigint>;
  /** When the tombstones were read (see LiveRowsRequest.tombstonesReadAt). */
  readonly tombstonesReadAt: number;
}

/** Whether a table of `content` holds exactly the live rows the request would compute. */
export function covers(content: Picture, request: LiveRowsRequest): boolean {
  const keys = new Set(content.files.map((file) => file.key));
  return request.files.every((file) => keys.has(file.key)) && sameHidden(content.hidden, request.hidden);
}

/** The request's picture, keeping the files of `base` still in the manifest. */
export function picture(base: Picture | undefined, request: LiveRowsRequest): Picture {
  const files = new Map(
    (base?.files ?? []).filter((file) => request.manifestKeys.has(file.key)).map((file) => [file.key, file]),
  );
  for (const file of request.files) files.set(file.key, file);
  return { files: [...files.values()], hidden: request.hidden, tombstonesReadAt: request.tombstonesReadAt };
}

/** Whether both hide the same rows (the same highest sequence for the same ids). */
export function sameHidden(a: ReadonlyMap<string, bigint>, b: ReadonlyMap<string, bigint>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [id, sequence] of a) if (b.get(id) !== sequence) return false;
  return true;
}

export function sumBytes(files: readonly DataFile[]): number {
  return files.reduce((total, file) => total + file.sizeBytes, 0);
}
