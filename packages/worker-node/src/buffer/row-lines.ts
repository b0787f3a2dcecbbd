import { MiniodbError } from "@miniodb/core";

const NEWLINE = 0x0a;

/** Row lines as UTF-8: the lines joined by "\n", without a trailing newline. */
interface Chunk {
  readonly bytes: Buffer;
  readonly count: number;
}

/**
 * A growing list of NDJSON row lines kept as the UTF-8 bytes they were logged as, in chunks (one
 * per write). Held outside the JavaScript heap, buffered rows cost the garbage collector nothing
 * while they wait for a flush, and a flush writes them as they are instead of encoding them again.
 * Row lines never hold a raw newline (JSON escapes it), so "\n" separates them.
 *
 * Only ever appended to: the first `length` lines seen at some point stay as they were, which
 * buffer captures rely on.
 */
export class RowLines {
  readonly #chunks: Chunk[] = [];
  /** Lines in the chunks up to and including each chunk. */
  readonly #ends: number[] = [];
  #length = 0;
  #byteLength = 0;

  static of(lines: readonly string[]): RowLines {
    const rows = new RowLines();
    if (lines.length > 0) rows.push(Buffer.from(lines.join("\n"), "utf8"), lines.length);
    return rows;
  }

  /** Lines held. */
  get length(): number {
    return this.#length;
  }

  /** Bytes of the lines as NDJSON (a newline after each). */
  get byteLength(): number {
    return this.#byteLength;
  }

  /** Appends `count` lines given as their UTF-8 bytes joined by "\n". */
  push(bytes: Buffer, count: number): void {
    if (count === 0) return;
    this.#chunks.push({ bytes, count });
    this.#length += count;
    this.#ends.push(this.#length);
    this.#byteLength += bytes.length + 1;
  }

  pushAll(other: RowLines): void {
    for (const chunk of other.#chunks) this.push(chunk.bytes, chunk.count);
  }

  copy(): RowLines {
    const copy = new RowLines();
    copy.pushAll(this);
    return copy;
  }

  /** The first `length` lines (all by default), decoded a chunk at a time. */
  *lines(length = this.#length): Iterable<string> {
    let left = length;
    for (const chunk of this.#chunks) {
      if (left <= 0) return;
      const lines = [...RowLines.#chunkLines(chunk)];
      yield* left >= lines.length ? lines : lines.slice(0, left);
      left -= lines.length;
    }
  }

  /**
   * The lines `keep` accepts, as new row lines: views of these chunks' bytes, one chunk per run
   * of kept lines (never one string or buffer of everything kept).
   */
  filter(keep: (line: string) => boolean): RowLines {
    const kept = new RowLines();
    for (const chunk of this.#chunks) {
      const keys = [...RowLines.#chunkLines(chunk)].map((line) => (keep(line) ? "kept" : "dropped"));
      for (const run of splitRowLines(chunk.bytes, chunk.count, keys).get("kept") ?? [])
        kept.push(run.bytes, run.count);
    }
    return kept;
  }

  static *#chunkLines(chunk: Chunk): Iterable<string> {
    const lines = chunk.bytes.toString("utf8").split("\n");
    if (lines.length !== chunk.count) throw outOfStep();
    yield* lines;
  }

  /**
   * The first `length` lines (all by default) as NDJSON, in pieces of about `pieceBytes` bytes
   * or more (whole chunks), each ending with a newline.
   */
  *ndjson(length = this.#length, pieceBytes = 1 << 22): Iterable<Buffer> {
    const newline = Buffer.of(NEWLINE);
    let piece: Buffer[] = [];
    let pieceLength = 0;
    for (let index = 0; index < this.#chunks.length && (this.#ends[index - 1] ?? 0) < length; index++) {
      const chunk = this.#chunks[index]!;
      const bytes =
        this.#ends[index]! <= length
          ? chunk.bytes
          : leadingLines(chunk, length - (this.#ends[index - 1] ?? 0));
      piece.push(bytes, newline);
      pieceLength += bytes.length + 1;
      if (pieceLength >= pieceBytes) {
        yield Buffer.concat(piece, pieceLength);
        piece = [];
        pieceLength = 0;
      }
    }
    if (pieceLength > 0) yield Buffer.concat(piece, pieceLength);
  }
}

/**
 * Splits `count` lines given as UTF-8 bytes joined by "\n" by a key per line (their day
 * partitions), keeping their order within each key; consecutive lines of one key stay one chunk.
 */
export function splitRowLines(
  bytes: Buffer,
  count: number,
  keys: readonly string[],
): Map<string, Array<{ bytes: Buffer; count: number }>> {
  const byKey = new Map<string, Array<{ bytes: Buffer; count: number }>>();
  let runStart = 0;
  let runCount = 0;
  let position = 0;
  for (let index = 0; index < count; index++) {
    const end = index === count - 1 ? bytes.length : bytes.indexOf(NEWLINE, position);
    if (end < 0) throw outOfStep();
    runCount++;
    const key = keys[index]!;
    if (index === count - 1 || keys[index + 1] !== key) {
      let runs = byKey.get(key);
      if (!runs) byKey.set(key, (runs = []));
      runs.push({ bytes: bytes.subarray(runStart, end), count: runCount });
      runStart = end + 1;
      runCount = 0;
    }
    position = end + 1;
  }
  return byKey;
}

/** The first `count` lines of a chunk. */
function leadingLines(chunk: Chunk, count: number): Buffer {
  let end = -1;
  for (let line = 0; line < count; line++) {
    end = chunk.bytes.indexOf(NEWLINE, end + 1);
    if (end < 0) throw outOfStep();
  }
  return chunk.bytes.subarray(0, end);
}

function outOfStep(): MiniodbError {
  return new MiniodbError("internal", "buffered row lines are out of step with their count");
}
