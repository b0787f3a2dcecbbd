/**
 * Text and bytes appended to one growing buffer, as UTF-8: for encoders that build a large
 * payload from many small pieces without making a string of the whole (which would have to be
 * flattened and encoded again). Reusable: `reset` starts over in the same buffer.
 */
export class Utf8Writer {
  #buffer: Buffer;
  #length = 0;

  constructor(initialBytes = 1 << 16) {
    this.#buffer = Buffer.allocUnsafeSlow(Math.max(initialBytes, 64));
  }

  /** Bytes written since the last reset. */
  get length(): number {
    return this.#length;
  }

  /** Bytes the buffer holds before it has to grow. */
  get capacity(): number {
    return this.#buffer.length;
  }

  reset(): void {
    this.#length = 0;
  }

  text(text: string): void {
    this.#reserve(text.length * 3);
    this.#length += this.#buffer.write(text, this.#length, "utf8");
  }

  bytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  byte(byte: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = byte;
  }

  /** Replaces the byte at `index` (below `length`). */
  setByte(index: number, byte: number): void {
    this.#buffer[index] = byte;
  }

  /** Forgets the bytes from `length` on. */
  truncate(length: number): void {
    this.#length = Math.min(length, this.#length);
  }

  /** The bytes `[start, end)` written so far, as a view (valid until the next write or reset). */
  view(start = 0, end = this.#length): Buffer {
    return this.#buffer.subarray(start, end);
  }

  /** A copy of the bytes written, at their exact size and in memory of their own. */
  copy(): Buffer {
    const copy = Buffer.allocUnsafeSlow(this.#length);
    this.#buffer.copy(copy, 0, 0, this.#length);
    return copy;
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + bytes) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}
