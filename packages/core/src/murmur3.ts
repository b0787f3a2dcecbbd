/**
 * MurmurHash3, x86 32-bit variant, over the UTF-8 bytes of a string.
 *
 * This is the hash behind shard routing and the ring, so it must be identical on every node and
 * in every language a tool might be written in: it is the reference algorithm (Austin Appleby's
 * `MurmurHash3_x86_32`) applied to UTF-8, checked in tests against an independent implementation.
 * It is written out here because the packaged implementations allocate an encoder per call and
 * cost ~1.5 µs per key, which would make routing the ingest bottleneck; this one takes ~0.2 µs.
 */
const encoder = new TextEncoder();
let scratch = new Uint8Array(1024);

/**
 * Writes the UTF-8 bytes of `key` into `scratch` from `offset` on (ASCII fast path) and returns
 * their count.
 */
function encodeUtf8(key: string, offset = 0): number {
  const length = key.length;
  if (offset + length * 3 > scratch.length) {
    const grown = new Uint8Array(offset + length * 3);
    grown.set(scratch.subarray(0, offset));
    scratch = grown;
  }
  for (let i = 0; i < length; i++) {
    const code = key.charCodeAt(i);
    if (code > 0x7f) return encoder.encodeInto(key, scratch.subarray(offset)).written;
    scratch[offset + i] = code;
  }
  return length;
}

function mixKey(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** Returns the unsigned 32-bit MurmurHash3 of the UTF-8 encoding of `key`. */
export function murmur3(key: string, seed = 0): number {
  const length = encodeUtf8(key);
  return finish(blocks(seed >>> 0, scratch, length), scratch, length, 0);
}

/** Mixes the whole 4-byte blocks of `bytes[0, length)` into `h`. */
function blocks(h: number, bytes: Uint8Array, length: number): number {
  const tail = length & ~3;
  for (let i = 0; i < tail; i += 4) {
    h ^= mixKey(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return h;
}

/**
 * Mixes the last 0–3 bytes of `bytes[0, length)` into `h` and finalises it; `skipped` bytes came
 * before `bytes` (already mixed in).
 */
function finish(h: number, bytes: Uint8Array, length: number, skipped: number): number {
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    let k = bytes[tail]!;
    if (rest > 1) k |= bytes[tail + 1]! << 8;
    if (rest > 2) k |= bytes[tail + 2]! << 16;
    h ^= mixKey(k);
  }
  h ^= length + skipped;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * MurmurHash3 of many keys that share a prefix (e.g. a table name before each record id), equal to
 * `murmur3(prefix + suffix, seed)`: the prefix's whole 4-byte blocks are mixed once, here, and
 * each hash encodes and mixes only the prefix's last 0–3 bytes and the suffix.
 *
 * A prefix ending in a high surrogate is the one case where the bytes of the joined string are not
 * those of the prefix followed by those of the suffix: with a suffix starting with a low surrogate
 * the two form one code point (4 bytes), while each alone encodes as U+FFFD. That surrogate is
 * therefore kept out of the mixed prefix and encoded with each suffix.
 */
export class PrefixedMurmur3 {
  readonly #state: number;
  /** Bytes of the prefix mixed into #state. */
  readonly #mixed: number;
  /** The prefix's bytes after the last whole block (not counting #carry). */
  readonly #rest: Uint8Array;
  /** The prefix's last code unit when it is a high surrogate, else "". */
  readonly #carry: string;

  constructor(prefix: string, seed = 0) {
    this.#carry = endsWithHighSurrogate(prefix) ? prefix.slice(-1) : "";
    const prefixBytes = encoder.encode(this.#carry ? prefix.slice(0, -1) : prefix);
    this.#mixed = prefixBytes.length & ~3;
    this.#state = blocks(seed >>> 0, prefixBytes, this.#mixed);
    this.#rest = prefixBytes.slice(this.#mixed);
  }

  /** `murmur3(prefix + suffix, seed)`. */
  hash(suffix: string): number {
    const rest = this.#rest;
    const restLength = rest.length;
    const carry = this.#carry;
    const length = restLength + encodeUtf8(carry === "" ? suffix : carry + suffix, restLength);
    for (let i = 0; i < restLength; i++) scratch[i] = rest[i]!;
    return finish(blocks(this.#state, scratch, length), scratch, length, this.#mixed);
  }
}

function endsWithHighSurrogate(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff;
}
