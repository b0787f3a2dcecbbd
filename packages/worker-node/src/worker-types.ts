import type { Tracer } from "@opentelemetry/api";
import type { MetadataStore, ObjectStore } from "@miniodb/core";
import type { ParquetWriter } from "./flush/parquet-writer-port.js";

/** What the worker needs of its write-ahead log. */
export interface WorkerWal {
  append(payload: Uint8Array): Promise<bigint>;
  replay(fromLsn?: bigint): AsyncIterable<{ lsn: bigint; payload: Buffer }>;
  truncateBefore(lsn: bigint): Promise<void>;
  close(): Promise<void>;
}

export interface WorkerOptions {
  readonly nodeId: string;
  readonly metadata: MetadataStore;
  readonly objects: ObjectStore;
  readonly wal: WorkerWal;
  readonly writer: ParquetWriter;
  /** Scratch space for flush files. */
  readonly scratchDirectory: string;
  /**
   * Keep this worker's WAL low-water mark in the metadata store (cluster workers), so compaction
   * keeps the tombstones rows in its WAL may need while it is down. See Worker.publishWalMark.
   */
  readonly publishWalMark?: boolean;
  /** How often tables are checked for their flush interval (and the WAL mark stored). Default 1 s. */
  readonly flushCheckIntervalMs?: number;
  /**
   * Buffered bytes across tables above which the largest table is flushed, and above which writes
   * wait while a flush is running (backpressure). Default 256 MiB.
   */
  readonly maxBufferedBytes?: number;
  /** Largest record (payload JSON) accepted, in bytes; larger ones are payload_too_large. */
  readonly maxRecordBytes?: number;
  /** How long an idempotency key's result is kept. Default 15 minutes. */
  readonly idempotencyWindowMs?: number;
  /** Called with errors of background flushes (they are retried on the next check). */
  readonly onBackgroundError?: (error: unknown, table: string) => void;
  /** Told after every flush that committed rows: how many, in how many bytes, how long it took. */
  readonly onFlush?: (flush: FlushReport) => void;
  /**
   * Records spans of WAL appends (including the wait for their group's fsync) and of flushes.
   * Without one, no span work at all.
   */
  readonly tracer?: Tracer;
  readonly now?: () => number;
}

/** Per-table numbers a worker reports. */
export interface TableBufferStats {
  /** Rows acknowledged and not yet committed to the manifest (buffered + being flushed). */
  readonly unflushedRows: number;
  readonly bufferedBytes: number;
  readonly lastWriteMs: number | undefined;
  /** Epoch ms when the oldest row still unflushed was acknowledged (put back after a failed flush: then). */
  readonly oldestUnflushedMs: number | undefined;
  /** Oldest and newest timestamp (epoch µs) of the unflushed rows. */
  readonly unflushedTimeRange: { readonly min: number; readonly max: number } | undefined;
}

/** Acknowledged rows of a table incarnation the metadata store lost, kept until it comes back. */
export interface ParkedTableStats {
  readonly table: string;
  /** The incarnation's creation time, which a metadata restore brings back. */
  readonly createdAt: Date;
  readonly rows: number;
  /** Epoch ms when the rows were first parked. */
  readonly sinceMs: number;
}

export interface WriteOptions {
  /** Report invalid records by index and write the valid ones (batches, streams). */
  readonly partial?: boolean;
  /** Apply this write at most once per key within the idempotency window. */
  readonly idempotencyKey?: string;
  /** The write's sequence numbers are above this one (the highest the sender has seen). */
  readonly sequenceFloor?: bigint;
}

/** One committed flush of a table. */
export interface FlushReport {
  readonly table: string;
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
  readonly seconds: number;
  /** How long the oldest flushed row waited between its acknowledgement and the commit. */
  readonly oldestRowAgeSeconds: number;
}
