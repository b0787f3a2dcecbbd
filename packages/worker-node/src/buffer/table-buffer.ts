import { RowLines, splitRowLines } from "./row-lines.js";

/**
 * How far a group of buffered rows got on its way into the manifest. A query captures buffered
 * rows with their progress before it reads the manifest, then leaves out the rows the manifest
 * already holds (see buffer-view.ts), so a flush racing a query neither hides nor doubles rows.
 */
export interface FlushProgress {
  /** Keys of the files a flush wrote for these rows (set before the manifest commit). */
  fileKeys: readonly string[];
  /** The manifest version that committed them. */
  committedVersion: number | undefined;
  /** After a failed flush the rows went back into the group with this progress. */
  mergedInto: FlushProgress | undefined;
}

function newProgress(): FlushProgress {
  return { fileKeys: [], committedVersion: undefined, mergedInto: undefined };
}

/** Rows of one buffer group as a query saw them: the first `length` rows of `rows`. */
export interface BufferedRows {
  readonly rows: RowLines;
  readonly length: number;
  readonly progress: FlushProgress;
}

/** Rows of one table taken out of the buffer by a flush, grouped by day partition. */
export interface BufferSnapshot {
  readonly byPartition: ReadonlyMap<string, RowLines>;
  readonly progress: FlushProgress;
  readonly rowCount: number;
  readonly bytes: number;
  /** Lowest WAL LSN whose rows are in the snapshot. */
  readonly firstLsn: bigint;
  /** No row of the snapshot has a lower sequence. */
  readonly firstSequence: bigint;
  readonly timeRange: TimeRange;
  /** When the oldest of these rows was first acknowledged (epoch ms). */
  readonly oldestUnflushedMs: number;
}

/** Oldest and newest row timestamp, epoch µs. */
export interface TimeRange {
  readonly min: number;
  readonly max: number;
}

function widen(range: TimeRange | undefined, other: TimeRange | undefined): TimeRange | undefined {
  if (!range) return other;
  if (!other) return range;
  return { min: Math.min(range.min, other.min), max: Math.max(range.max, other.max) };
}

/**
 * The not-yet-flushed rows of one table (NDJSON row lines by partition, as UTF-8), in WAL order.
 *
 * A flush takes a snapshot; new writes go on accumulating; a failed flush puts the snapshot back
 * in front so nothing is lost and order is kept. `pending` snapshots (taken, not yet committed)
 * still count for `firstLsn`, so the WAL is never truncated past rows that are not durable yet.
 */
export class TableBuffer {
  #partitions = new Map<string, RowLines>();
  #rowCount = 0;
  #bytes = 0;
  #firstLsn: bigint | undefined;
  #firstSequence: bigint | undefined;
  #oldestAppendMs: number | undefined;
  /** Like #oldestAppendMs, but a failed flush keeps its rows' first time instead of restarting it. */
  #oldestUnflushedMs: number | undefined;
  #timeRange: TimeRange | undefined;
  #progress = newProgress();
  readonly #pending = new Set<BufferSnapshot>();
  /** The highest manifest version a flush of these rows committed. */
  #committedVersion = 0;

  /**
   * Adds the rows of one acknowledged WAL entry; `timeRange` covers their timestamps, and none of
   * them has a sequence below `firstSequence`.
   */
  append(
    lines: readonly string[],
    partitions: readonly string[],
    lsn: bigint,
    nowMs: number,
    timeRange: TimeRange,
    firstSequence: bigint,
  ): void {
    const bytes = Buffer.from(lines.join("\n"), "utf8");
    this.appendEncoded(bytes, lines.length, partitions, lsn, nowMs, timeRange, firstSequence);
  }

  /** Like append, with the `count` row lines given as their UTF-8 bytes joined by "\n". */
  appendEncoded(
    bytes: Buffer,
    count: number,
    partitions: readonly string[],
    lsn: bigint,
    nowMs: number,
    timeRange: TimeRange,
    firstSequence: bigint,
  ): void {
    if (count === 0) return;
    this.#timeRange = widen(this.#timeRange, timeRange);
    const first = partitions[0]!;
    if (partitions.every((partition) => partition === first)) this.#partitionRows(first).push(bytes, count);
    else
      for (const [partition, runs] of splitRowLines(bytes, count, partitions))
        for (const run of runs) this.#partitionRows(partition).push(run.bytes, run.count);
    this.#bytes += bytes.length + 1;
    this.#rowCount += count;
    this.#firstLsn ??= lsn;
    if (this.#firstSequence === undefined || firstSequence < this.#firstSequence)
      this.#firstSequence = firstSequence;
    this.#oldestAppendMs ??= nowMs;
    this.#oldestUnflushedMs ??= nowMs;
  }

  #partitionRows(partition: string): RowLines {
    let rows = this.#partitions.get(partition);
    if (!rows) this.#partitions.set(partition, (rows = new RowLines()));
    return rows;
  }

  get rowCount(): number {
    return this.#rowCount;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Oldest and newest timestamp of the rows not yet committed (buffered or being flushed). */
  get timeRange(): TimeRange | undefined {
    let range = this.#timeRange;
    for (const snapshot of this.#pending) range = widen(range, snapshot.timeRange);
    return range;
  }

  /** Rows held by flushes in progress. */
  get pendingRowCount(): number {
    let rows = 0;
    for (const snapshot of this.#pending) rows += snapshot.rowCount;
    return rows;
  }

  /** When the oldest unflushed row arrived, or undefined when empty. */
  get oldestAppendMs(): number | undefined {
    return this.#oldestAppendMs;
  }

  /** When the oldest row not yet in the manifest (buffered or being flushed) was acknowledged. */
  get oldestUnflushedMs(): number | undefined {
    let oldest = this.#oldestUnflushedMs;
    for (const snapshot of this.#pending)
      if (oldest === undefined || snapshot.oldestUnflushedMs < oldest) oldest = snapshot.oldestUnflushedMs;
    return oldest;
  }

  /** Lowest LSN still needed by this table (buffered or being flushed), or undefined. */
  get firstLsn(): bigint | undefined {
    let lowest = this.#firstLsn;
    for (const snapshot of this.#pending)
      if (lowest === undefined || snapshot.firstLsn < lowest) lowest = snapshot.firstLsn;
    return lowest;
  }

  /** No row buffered or being flushed has a lower sequence; undefined when there is none. */
  get firstSequence(): bigint | undefined {
    let lowest = this.#firstSequence;
    for (const snapshot of this.#pending)
      if (lowest === undefined || snapshot.firstSequence < lowest) lowest = snapshot.firstSequence;
    return lowest;
  }

  /** Every row line, buffered and being flushed. */
  *lines(): Iterable<string> {
    for (const part of this.capture()) yield* part.rows.lines(part.length);
  }

  /**
   * The rows a query sees now (being flushed and buffered), with their flush progress. Cheap: the
   * row arrays are only ever appended to, so a capture is their current lengths.
   */
  capture(): BufferedRows[] {
    const parts: BufferedRows[] = [];
    for (const snapshot of this.#pending)
      for (const rows of snapshot.byPartition.values())
        parts.push({ rows, length: rows.length, progress: snapshot.progress });
    for (const rows of this.#partitions.values())
      parts.push({ rows, length: rows.length, progress: this.#progress });
    return parts;
  }

  /**
   * The rows a query sees now, as `capture`, for a query that read manifest `version` before:
   * undefined when rows were committed to a later version since, for they are then in neither
   * that manifest nor the buffer.
   */
  captureAsOf(version: number): BufferedRows[] | undefined {
    return this.#committedVersion > version ? undefined : this.capture();
  }

  /** Takes everything buffered for a flush; undefined when empty. */
  take(): BufferSnapshot | undefined {
    if (
      this.#rowCount === 0 ||
      this.#firstLsn === undefined ||
      this.#firstSequence === undefined ||
      this.#timeRange === undefined
    )
      return undefined;
    const snapshot: BufferSnapshot = {
      byPartition: this.#partitions,
      rowCount: this.#rowCount,
      bytes: this.#bytes,
      firstLsn: this.#firstLsn,
      firstSequence: this.#firstSequence,
      timeRange: this.#timeRange,
      progress: this.#progress,
      oldestUnflushedMs: this.#oldestUnflushedMs ?? this.#oldestAppendMs ?? 0,
    };
    this.#pending.add(snapshot);
    this.#progress = newProgress();
    this.#partitions = new Map();
    this.#rowCount = 0;
    this.#bytes = 0;
    this.#firstLsn = undefined;
    this.#firstSequence = undefined;
    this.#oldestAppendMs = undefined;
    this.#oldestUnflushedMs = undefined;
    this.#timeRange = undefined;
    return snapshot;
  }

  /** The snapshot's rows are in manifest `version`: forget them. */
  commit(snapshot: BufferSnapshot, version: number): void {
    snapshot.progress.committedVersion = version;
    if (version > this.#committedVersion) this.#committedVersion = version;
    this.#pending.delete(snapshot);
  }

  /** The flush failed: put the rows back in front of anything written since. */
  restore(snapshot: BufferSnapshot, nowMs: number): void {
    if (!this.#pending.delete(snapshot)) return;
    snapshot.progress.mergedInto = this.#progress;
    const merged = new Map<string, RowLines>();
    for (const [partition, rows] of snapshot.byPartition) merged.set(partition, rows.copy());
    for (const [partition, rows] of this.#partitions) {
      const existing = merged.get(partition);
      if (existing) existing.pushAll(rows);
      else merged.set(partition, rows);
    }
    this.#partitions = merged;
    this.#rowCount += snapshot.rowCount;
    this.#bytes += snapshot.bytes;
    if (this.#firstLsn === undefined || snapshot.firstLsn < this.#firstLsn)
      this.#firstLsn = snapshot.firstLsn;
    if (this.#firstSequence === undefined || snapshot.firstSequence < this.#firstSequence)
      this.#firstSequence = snapshot.firstSequence;
    this.#timeRange = widen(this.#timeRange, snapshot.timeRange);
    this.#oldestAppendMs = Math.min(this.#oldestAppendMs ?? nowMs, nowMs);
    this.#oldestUnflushedMs = Math.min(this.#oldestUnflushedMs ?? nowMs, snapshot.oldestUnflushedMs);
  }

  /**
   * Takes in rows another buffer gave up (a snapshot of its `take`), in front of this buffer's
   * rows; `keep` leaves rows out (e.g. those a manifest already holds). Returns the rows taken.
   */
  adopt(snapshot: BufferSnapshot, nowMs: number, keep: (line: string) => boolean = keepAll): number {
    const byPartition = new Map<string, RowLines>();
    let rowCount = 0;
    let bytes = 0;
    for (const [partition, rows] of snapshot.byPartition) {
      const kept = keep === keepAll ? rows : rows.filter(keep);
      if (kept.length === 0) continue;
      byPartition.set(partition, kept);
      rowCount += kept.length;
      bytes += kept.byteLength;
    }
    if (rowCount === 0) return 0;
    const adopted: BufferSnapshot = { ...snapshot, byPartition, rowCount, bytes, progress: newProgress() };
    this.#pending.add(adopted);
    this.restore(adopted, nowMs);
    return rowCount;
  }
}

const keepAll = (): boolean => true;
