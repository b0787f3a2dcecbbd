import { MiniodbError } from "@miniodb/core";
import { recoverWal } from "./recover-wal.js";
import { walClosedError, walDataLoss, walFailedError } from "./wal-errors.js";
import { decodeWalSegment, encodeWalFrame, MAX_FRAME_PAYLOAD_BYTES } from "./wal-frame.js";
import {
  readWalSegmentPrefix,
  removeWalSegment,
  syncDirectory,
  WalSegment,
  type WalSegmentInfo,
} from "./wal-segment.js";

export interface WriteAheadLogOptions {
  /** The log's directory; created when missing. One process per directory. */
  readonly directory: string;
  /**
   * A new segment file is started when the next group of appends would take the active one
   * past this size (a single group larger than this gets a segment of its own). Default 64 MiB.
   */
  readonly segmentBytes?: number;
  /** fsync before acknowledging (default). `false` gives up durability: for tests and scratch data. */
  readonly sync?: boolean;
  /** Told after every group commit: entries and bytes written, and how long the write + fsync took. */
  readonly onGroupCommit?: (group: WalGroupCommit) => void;
}

export interface WalGroupCommit {
  readonly entries: number;
  readonly bytes: number;
  readonly seconds: number;
}

export interface WalEntry {
  /** Log sequence number: 1, 2, 3, … across segments and restarts. */
  readonly lsn: bigint;
  readonly payload: Buffer;
}

export interface WriteAheadLogStats {
  readonly segments: number;
  /** Acknowledged bytes in all segments (magics and frame headers included). */
  readonly bytes: number;
  /** The LSN of the oldest retained entry (or of the next entry when the log holds none). */
  readonly firstLsn: bigint;
  /** The LSN of the newest acknowledged entry; `firstLsn - 1n` when the log holds none. */
  readonly lastLsn: bigint;
  /** Entries acknowledged since open. */
  readonly appends: number;
  /** fsyncs (of segments and of the directory) issued since open, recovery included. */
  readonly syncs: number;
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/** A queue longer than this is written as several groups, so one write never needs gigabytes. */
const MAX_GROUP_BYTES = 16 * 1024 * 1024;

interface PendingAppend {
  readonly frames: Buffer[];
  readonly bytes: number;
  readonly resolve: (lsns: bigint[]) => void;
  readonly reject: (error: MiniodbError) => void;
}

/**
 * The worker's write-ahead log: appends are acknowledged only once they are on disk, and
 * survive crashes until `truncateBefore` drops them.
 *
 * Group commit: one group (write + fsync) is in flight at a time. Appends that arrive meanwhile
 * wait in a queue and become the next group — one write and one fsync for all of them — so many
 * concurrent writers share each fsync. Groups are taken from the queue in call order and LSNs
 * are handed out when a group is written, so LSN order is call order.
 *
 * A failed write or fsync leaves the file in an unknown state: the whole group and everything
 * queued behind it rejects, and the log refuses appends until it is reopened (which cuts or
 * reports whatever the failure left behind).
 */
export class WriteAheadLog {
  private readonly queue: PendingAppend[] = [];
  private draining: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private failure: MiniodbError | undefined;
  private nextLsn: bigint;
  private appends = 0;

  private constructor(
    private readonly directory: string,
    private readonly segmentBytes: number,
    private readonly sync: boolean,
    private readonly segments: WalSegmentInfo[],
    private active: WalSegment,
    private syncs: number,
    private readonly onGroupCommit: ((group: WalGroupCommit) => void) | undefined,
  ) {
    this.nextLsn = active.info.firstLsn + BigInt(active.info.entries);
  }

  /** Opens (or creates) the log in `directory`, recovering it after a crash. */
  static async open({
    directory,
    segmentBytes = DEFAULT_SEGMENT_BYTES,
    sync = true,
    onGroupCommit,
  }: WriteAheadLogOptions): Promise<WriteAheadLog> {
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1) {
      throw new MiniodbError(
        "invalid_argument",
        `segmentBytes must be a positive integer, not ${segmentBytes}`,
      );
    }
    const { segments, active, syncs } = await recoverWal(directory, sync);
    return new WriteAheadLog(directory, segmentBytes, sync, segments, active, syncs, onGroupCommit);
  }

  /** Appends one entry; resolves with its LSN once it is durable. */
  async append(payload: Uint8Array): Promise<bigint> {
    const [lsn] = await this.appendMany([payload]);
    return lsn!;
  }

  /** Appends entries as one unit of one group; resolves with their (consecutive) LSNs once durable. */
  async appendMany(payloads: readonly Uint8Array[]): Promise<bigint[]> {
    if (this.closing !== undefined) throw walClosedError(this.directory);
    if (this.failure !== undefined) throw walFailedError(this.failure);
    const frames = payloads.map(encodeEntry);
    if (frames.length === 0) return [];
    const bytes = frames.reduce((sum, frame) => sum + frame.length, 0);
    return new Promise<bigint[]>((resolve, reject) => {
      this.queue.push({ frames, bytes, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /**
   * Every retained entry with an LSN ≥ `fromLsn` that was acknowledged before the call, in order.
   * Reads one segment at a time. Truncating entries a replay has yet to read makes it fail.
   */
  async *replay(fromLsn = 1n): AsyncIterable<WalEntry> {
    const snapshot = this.segments.map(({ firstLsn, path, bytes, entries }) => ({
      firstLsn,
      path,
      bytes,
      entries,
    }));
    for (const segment of snapshot) {
      const end = segment.firstLsn + BigInt(segment.entries);
      if (end <= fromLsn) continue;
      const frames = await readAcknowledged(segment);
      const skip = fromLsn > segment.firstLsn ? Number(fromLsn - segment.firstLsn) : 0;
      for (let index = skip; index < frames.length; index++) {
        yield { lsn: segment.firstLsn + BigInt(index), payload: frames[index]! };
      }
    }
  }

  /**
   * Deletes the segments all of whose entries have LSNs below `lsn` (never the active one).
   * Call it once everything below `lsn` is durable elsewhere.
   */
  async truncateBefore(lsn: bigint): Promise<void> {
    const doomed: WalSegmentInfo[] = [];
    while (this.segments.length > 1 && this.segments[1]!.firstLsn <= lsn) doomed.push(this.segments.shift()!);
    for (const segment of doomed) await removeWalSegment(segment.path);
    if (doomed.length > 0 && this.sync) {
      await syncDirectory(this.directory);
      this.syncs += 1;
    }
  }

  stats(): WriteAheadLogStats {
    return {
      segments: this.segments.length,
      bytes: this.segments.reduce((sum, segment) => sum + segment.bytes, 0),
      firstLsn: this.segments[0]!.firstLsn,
      lastLsn: this.nextLsn - 1n,
      appends: this.appends,
      syncs: this.syncs,
    };
  }

  /** Waits for queued and in-flight appends, then closes the active segment. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.draining;
      await this.active.close();
    })();
    return this.closing;
  }

  /** Writes queued appends group by group until the queue is empty. Never rejects. */
  private async drain(): Promise<void> {
    // Let the appends made in the same turn of the event loop join the first group.
    await Promise.resolve();
    while (this.queue.length > 0) await this.commit(this.takeGroup());
    this.draining = undefined;
  }

  private takeGroup(): PendingAppend[] {
    let count = 0;
    let bytes = 0;
    while (
      count < this.queue.length &&
      (count === 0 || bytes + this.queue[count]!.bytes <= MAX_GROUP_BYTES)
    ) {
      bytes += this.queue[count]!.bytes;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  /** One group: (roll over), one write, one fsync; then hands out LSNs in queue order. */
  private async commit(group: PendingAppend[]): Promise<void> {
    if (this.failure !== undefined) {
      for (const pending of group) pending.reject(walFailedError(this.failure));
      return;
    }
    const frames = group.flatMap((pending) => pending.frames);
    const data = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    const started = process.hrtime.bigint();
    try {
      await this.rollOverIfFull(data.length);
      await this.active.append(data, frames.length);
      if (this.sync) this.syncs += 1;
    } catch (error) {
      this.failure = MiniodbError.from(error, "unavailable");
      for (const pending of group) pending.reject(this.failure);
      return;
    }
    this.appends += frames.length;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.onGroupCommit?.({ entries: frames.length, bytes: data.length, seconds });
    for (const pending of group) {
      const lsns = pending.frames.map((_, index) => this.nextLsn + BigInt(index));
      this.nextLsn += BigInt(lsns.length);
      pending.resolve(lsns);
    }
  }

  private async rollOverIfFull(incoming: number): Promise<void> {
    const current = this.active;
    if (current.info.entries === 0 || current.info.bytes + incoming <= this.segmentBytes) return;
    const next = await WalSegment.create(this.directory, this.nextLsn, this.sync);
    this.active = next;
    this.segments.push(next.info);
    try {
      if (this.sync) {
        await syncDirectory(this.directory);
        this.syncs += 1;
      }
    } finally {
      await current.close();
    }
  }
}

function encodeEntry(payload: Uint8Array): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD_BYTES) {
    throw new MiniodbError(
      "payload_too_large",
      `a WAL entry holds at most ${MAX_FRAME_PAYLOAD_BYTES} bytes, not ${payload.length}`,
    );
  }
  return encodeWalFrame(payload);
}

/** The acknowledged frames of a segment, checked against what the log knows about it. */
async function readAcknowledged(segment: WalSegmentInfo): Promise<Buffer[]> {
  const decoded = decodeWalSegment(await readWalSegmentPrefix(segment.path, segment.bytes));
  if (decoded.tail !== "clean" || decoded.frames.length !== segment.entries) {
    throw walDataLoss(
      segment.path,
      decoded.validBytes,
      `expected ${segment.entries} entries in ${segment.bytes} bytes, found ${decoded.frames.length} (${decoded.tail})`,
    );
  }
  return decoded.frames;
}
