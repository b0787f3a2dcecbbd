import { mkdir, readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { walDataLoss, walIo } from "./wal-errors.js";
import { decodeWalSegment } from "./wal-frame.js";
import { parseWalSegmentName } from "./wal-segment-name.js";
import { readWalSegment, syncDirectory, WalSegment, type WalSegmentInfo } from "./wal-segment.js";

export interface RecoveredWal {
  /** Every segment in log order; the last one is `active.info`. */
  readonly segments: WalSegmentInfo[];
  /** The last segment, open for appends. */
  readonly active: WalSegment;
  /** How many fsyncs recovery issued. */
  readonly syncs: number;
}

/**
 * Opens a log directory, creating it when missing, and checks every segment in it, oldest first.
 *
 * A torn tail in the last segment is what a crash during an append leaves behind; nothing in it
 * was acknowledged, so it is cut off (and the cut synced). Anything else that is wrong — a
 * corrupt frame followed by more data, a torn tail in an older segment, a wrong magic, or a gap
 * or overlap between consecutive segments — loses acknowledged entries and fails with
 * `data_loss` naming the file and byte offset.
 */
export async function recoverWal(directory: string, durable: boolean): Promise<RecoveredWal> {
  let syncs = await ensureDirectory(directory);
  const segments = await listSegments(directory);
  if (segments.length === 0) {
    const active = await WalSegment.create(directory, 1n, durable);
    await syncDirectory(directory);
    return { segments: [active.info], active, syncs: syncs + 1 };
  }
  let tornAt: number | undefined;
  for (const [index, info] of segments.entries()) {
    tornAt = await scanSegment(info, index === segments.length - 1);
    const previous = segments[index - 1];
    if (previous !== undefined) checkContiguous(previous, info);
  }
  const active = await WalSegment.openForAppend(segments.at(-1)!, durable);
  if (tornAt !== undefined) {
    try {
      await active.cutTo(tornAt);
    } catch (error) {
      await active.close().catch(() => undefined);
      throw error;
    }
    syncs += 1;
  }
  return { segments, active, syncs };
}

/** Decodes one segment and records its valid size; returns where a torn tail starts, if any. */
async function scanSegment(info: WalSegmentInfo, last: boolean): Promise<number | undefined> {
  const decoded = decodeWalSegment(await readWalSegment(info.path));
  if (decoded.tail === "corrupt") {
    const problem =
      decoded.validBytes === 0 ? "not a WAL segment (wrong magic)" : "corrupt frame followed by more data";
    throw walDataLoss(info.path, decoded.validBytes, problem);
  }
  if (decoded.tail === "torn" && !last) {
    throw walDataLoss(info.path, decoded.validBytes, "torn frame in a segment that is not the last one");
  }
  info.entries = decoded.frames.length;
  info.bytes = decoded.validBytes;
  return decoded.tail === "torn" ? decoded.validBytes : undefined;
}

function checkContiguous(previous: WalSegmentInfo, next: WalSegmentInfo): void {
  const expected = previous.firstLsn + BigInt(previous.entries);
  if (next.firstLsn !== expected) {
    const problem = `segment starts at LSN ${next.firstLsn} but the previous one ends before LSN ${expected}`;
    throw walDataLoss(next.path, 0, next.firstLsn > expected ? `${problem}: entries are missing` : problem);
  }
}

async function listSegments(directory: string): Promise<WalSegmentInfo[]> {
  const names = await walIo("list", directory, () => readdir(directory));
  const segments: WalSegmentInfo[] = [];
  for (const name of names) {
    const firstLsn = parseWalSegmentName(name);
    if (firstLsn !== undefined)
      segments.push({ firstLsn, path: join(directory, name), bytes: 0, entries: 0 });
  }
  return segments.sort((a, b) => (a.firstLsn < b.firstLsn ? -1 : a.firstLsn > b.firstLsn ? 1 : 0));
}

/** Creates the directory; when that created directories, syncs their parents so they survive a crash. */
async function ensureDirectory(directory: string): Promise<number> {
  const created = await walIo("create directory", directory, () => mkdir(directory, { recursive: true }));
  if (created === undefined) return 0;
  const top = resolve(created);
  let syncs = 0;
  for (let dir = resolve(directory); dir !== dirname(dir); dir = dirname(dir)) {
    await syncDirectory(dirname(dir));
    syncs += 1;
    if (dir === top) break;
  }
  return syncs;
}
