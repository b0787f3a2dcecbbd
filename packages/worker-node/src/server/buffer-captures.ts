import { randomUUID } from "node:crypto";
import { MiniodbError } from "@miniodb/core";
import type { BufferedRows, FlushProgress } from "../buffer/table-buffer.js";

/** One group of captured rows, as ReadCapture reports it. */
export interface CapturedPart {
  /** Files a flush wrote for the rows without (yet) confirming the commit. */
  readonly fileKeys: readonly string[];
  /** Row lines, each ending in a newline. */
  readonly ndjson: string;
  readonly rowCount: number;
}

export interface BufferCapturesOptions {
  /** A capture not read within this time is forgotten. Default one minute. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * Buffer captures a query node took and has not read yet (see CaptureBuffer / ReadCapture). The
 * flush progress of each part is read only when the capture is read, that is after the query node
 * read its manifest: a flush that committed in between is then recognised exactly as in-process
 * (rowsOutsideManifest).
 */
export class BufferCaptures {
  readonly #captures = new Map<string, { parts: BufferedRows[]; expiresAtMs: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: BufferCapturesOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Keeps `parts` under a new id. */
  add(parts: BufferedRows[]): string {
    this.#expire();
    const id = randomUUID();
    this.#captures.set(id, { parts, expiresAtMs: this.#now() + this.#ttlMs });
    return id;
  }

  /**
   * Removes the capture (or, with `keep`, leaves it for another read, its expiry renewed) and
   * returns its parts that `manifestVersion` does not hold by their committed version; parts
   * written to files not yet known to be committed carry the file keys.
   */
  *take(
    id: string,
    manifestVersion: number,
    { keep = false, maxBytes = 4 * 1024 * 1024 }: { keep?: boolean; maxBytes?: number } = {},
  ): Iterable<CapturedPart> {
    const capture = this.#captures.get(id);
    if (!capture || capture.expiresAtMs <= this.#now()) {
      this.#captures.delete(id);
      throw new MiniodbError("not_found", `buffer capture ${id} is unknown or expired`);
    }
    if (keep) capture.expiresAtMs = this.#now() + this.#ttlMs;
    else this.#captures.delete(id);
    for (const part of capture.parts) {
      const progress = resolve(part.progress);
      if (progress.committedVersion !== undefined && progress.committedVersion <= manifestVersion) continue;
      yield* chunks(part, progress.fileKeys, maxBytes);
    }
  }

  /** Starts a kept capture's time to live over (its fragment has just finished). */
  renew(id: string): void {
    const capture = this.#captures.get(id);
    if (capture) capture.expiresAtMs = this.#now() + this.#ttlMs;
  }

  get size(): number {
    return this.#captures.size;
  }

  #expire(): void {
    const now = this.#now();
    for (const [id, capture] of this.#captures) if (capture.expiresAtMs <= now) this.#captures.delete(id);
  }
}

function resolve(progress: FlushProgress): FlushProgress {
  let current = progress;
  while (current.mergedInto) current = current.mergedInto;
  return current;
}

function* chunks(part: BufferedRows, fileKeys: readonly string[], maxBytes: number): Iterable<CapturedPart> {
  let lines: string[] = [];
  let bytes = 0;
  for (const line of part.rows.lines(part.length)) {
    lines.push(line);
    bytes += line.length + 1;
    if (bytes >= maxBytes) {
      yield { fileKeys, ndjson: `${lines.join("\n")}\n`, rowCount: lines.length };
      lines = [];
      bytes = 0;
    }
  }
  if (lines.length > 0) yield { fileKeys, ndjson: `${lines.join("\n")}\n`, rowCount: lines.length };
}
