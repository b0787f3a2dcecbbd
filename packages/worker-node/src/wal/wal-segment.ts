import { constants } from "node:fs";
import { open, readFile, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { MiniodbError } from "@miniodb/core";
import { walIo } from "./wal-errors.js";
import { WAL_MAGIC } from "./wal-frame.js";
import { walSegmentName } from "./wal-segment-name.js";

/** What the log knows about one segment file: its place in the log and its acknowledged size. */
export interface WalSegmentInfo {
  readonly firstLsn: bigint;
  readonly path: string;
  /** Bytes from the start of the file (magic included) holding acknowledged frames. */
  bytes: number;
  /** Acknowledged entries in the file; their LSNs are `firstLsn .. firstLsn + entries - 1`. */
  entries: number;
}

/**
 * Open flags that make every write durable before it completes (`O_DSYNC`: a write followed by
 * an fdatasync, done in one call). Linux only: elsewhere (macOS) an fdatasync does more than the
 * flag (it flushes the drive's cache), so those platforms keep write + fdatasync.
 */
const DATA_SYNC_FLAG: number | undefined = process.platform === "linux" ? constants.O_DSYNC : undefined;

/**
 * Opens a segment file with `flags`, plus `O_DSYNC` when `dsync`; a file system that refuses the
 * flag (EINVAL) gets the file without it, and the appends sync it themselves.
 */
async function openSegmentFile(
  op: "create" | "open",
  path: string,
  flags: number,
  dsync: boolean,
): Promise<{ handle: FileHandle; dsync: boolean }> {
  if (dsync) {
    try {
      return { handle: await open(path, flags | DATA_SYNC_FLAG!, 0o666), dsync: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EINVAL")
        return await walIo(op, path, () => Promise.reject(error));
    }
  }
  return { handle: await walIo(op, path, () => open(path, flags, 0o666)), dsync: false };
}

/**
 * The segment file appends go to. Writes are positional, right after the acknowledged bytes
 * (never `O_APPEND`), and the sizes in `info` grow only once a write is durable, so `info` always
 * describes what a reader may rely on.
 *
 * A durable segment's file is opened with `O_DSYNC` on Linux (unless its file system refuses it), so an append is one
 * write that returns once the bytes are on disk: one trip through the I/O thread pool instead of a
 * write and then an fdatasync (each of which waits for a free pool thread and then for the event
 * loop). Elsewhere the append is a write followed by an fdatasync.
 */
export class WalSegment {
  private constructor(
    readonly info: WalSegmentInfo,
    private readonly handle: FileHandle,
    /** Appends must be durable before they count. */
    private readonly durable: boolean,
    /** The file was opened with `O_DSYNC`: every write is durable when it completes. */
    private readonly writesAreDurable: boolean,
  ) {}

  /**
   * Creates the segment file that starts at `firstLsn` and writes its magic; fails if the file
   * exists. The magic becomes durable with the first append's sync; the caller syncs the directory.
   */
  static async create(directory: string, firstLsn: bigint, durable: boolean): Promise<WalSegment> {
    const path = join(directory, walSegmentName(firstLsn));
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
    const { handle, dsync } = await openSegmentFile(
      "create",
      path,
      flags,
      durable && DATA_SYNC_FLAG !== undefined,
    );
    const segment = new WalSegment({ firstLsn, path, bytes: 0, entries: 0 }, handle, durable, dsync);
    try {
      await segment.writeAt(WAL_MAGIC, 0);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    segment.info.bytes = WAL_MAGIC.length;
    return segment;
  }

  /** Opens an existing segment whose valid size and entry count recovery has established. */
  static async openForAppend(info: WalSegmentInfo, durable: boolean): Promise<WalSegment> {
    const { handle, dsync } = await openSegmentFile(
      "open",
      info.path,
      constants.O_RDWR,
      durable && DATA_SYNC_FLAG !== undefined,
    );
    return new WalSegment(info, handle, durable, dsync);
  }

  /**
   * Writes encoded frames after the acknowledged bytes (one write), makes them durable if the
   * segment is, then counts them.
   */
  async append(frames: Buffer, entries: number): Promise<void> {
    await this.writeAt(frames, this.info.bytes);
    if (this.durable && !this.writesAreDurable) await this.sync();
    this.info.bytes += frames.length;
    this.info.entries += entries;
  }

  /** Cuts a torn tail after `validBytes` (rewriting the magic if even that was torn) and syncs. */
  async cutTo(validBytes: number): Promise<void> {
    await walIo("truncate", this.info.path, () => this.handle.truncate(validBytes));
    if (validBytes < WAL_MAGIC.length) {
      await this.writeAt(WAL_MAGIC, 0);
      validBytes = WAL_MAGIC.length;
    }
    await this.sync();
    this.info.bytes = validBytes;
  }

  async sync(): Promise<void> {
    await walIo("fsync", this.info.path, () => this.handle.datasync());
  }

  async close(): Promise<void> {
    await walIo("close", this.info.path, () => this.handle.close());
  }

  private async writeAt(data: Buffer, position: number): Promise<void> {
    await walIo("write", this.info.path, async () => {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await this.handle.write(
          data,
          written,
          data.length - written,
          position + written,
        );
        if (bytesWritten === 0) {
          throw new MiniodbError("unavailable", `write-ahead log: ${this.info.path} accepts no more bytes`);
        }
        written += bytesWritten;
      }
    });
  }
}

/** Reads a whole segment file (recovery). */
export async function readWalSegment(path: string): Promise<Buffer> {
  return walIo("read", path, () => readFile(path));
}

/** Reads the first `bytes` bytes of a segment file: the part known to hold acknowledged frames. */
export async function readWalSegmentPrefix(path: string, bytes: number): Promise<Buffer> {
  return walIo("read", path, async () => {
    const handle = await open(path, "r");
    try {
      const buffer = Buffer.allocUnsafe(bytes);
      let filled = 0;
      while (filled < bytes) {
        const { bytesRead } = await handle.read(buffer, filled, bytes - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  });
}

/** Deletes a segment file; one that is already gone counts as deleted. The caller syncs the directory. */
export async function removeWalSegment(path: string): Promise<void> {
  await walIo("delete", path, () => rm(path, { force: true }));
}

/** Makes creations and deletions of entries in `directory` durable. */
export async function syncDirectory(directory: string): Promise<void> {
  await walIo("fsync directory", directory, async () => {
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}
