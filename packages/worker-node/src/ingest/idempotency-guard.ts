import { MiniodbError, type MetadataStore } from "@miniodb/core";
import type { WriteResult } from "./write-result.js";

/** An idempotency key may be any printable ASCII, 1–255 characters (e.g. a UUID). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** What a write logs so its key survives a crash between the WAL ack and storing the key. */
export interface IdempotencyStamp {
  readonly key: string;
  readonly expiresAtMs: number;
}

/**
 * Applies each idempotency key's write at most once within the window: a concurrent duplicate
 * waits for the first and gets its result; a later one gets the stored result (metadata store,
 * so every node and every restart honours it). Failed writes are not remembered.
 */
export class IdempotencyGuard {
  readonly #metadata: MetadataStore;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, Promise<WriteResult>>();
  /** Results whose key could not be stored yet; consulted first, stored again on the next use. */
  readonly #unstored = new Map<string, { response: string; expiresAtMs: number }>();

  constructor(metadata: MetadataStore, windowMs: number, now: () => number) {
    this.#metadata = metadata;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  async run(key: string, write: (stamp: IdempotencyStamp) => Promise<WriteResult>): Promise<WriteResult> {
    if (!KEY_PATTERN.test(key)) {
      throw new MiniodbError(
        "invalid_argument",
        "an idempotency key must be 1–255 printable ASCII characters",
        {
          details: { field: "idempotency_key" },
        },
      );
    }
    const running = this.#inFlight.get(key);
    if (running) return running;
    const attempt = this.#runOnce(key, write).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, attempt);
    return attempt;
  }

  async #runOnce(
    key: string,
    write: (stamp: IdempotencyStamp) => Promise<WriteResult>,
  ): Promise<WriteResult> {
    const unstored = this.#unstored.get(key);
    if (unstored && unstored.expiresAtMs > this.#now()) {
      await this.#store(key, unstored.response, unstored.expiresAtMs);
      return decodeWriteResult(unstored.response);
    }
    const stored = await this.#metadata.getIdempotency(key, new Date(this.#now()));
    if (stored) return decodeWriteResult(stored.response);
    const expiresAtMs = this.#now() + this.#windowMs;
    const result = await write({ key, expiresAtMs });
    // The write is durable (its WAL entry carries the key): from here on the call must not fail.
    if (result.written > 0) await this.#store(key, encodeWriteResult(result), expiresAtMs);
    return result;
  }

  async #store(key: string, response: string, expiresAtMs: number): Promise<void> {
    try {
      await this.remember(key, response, expiresAtMs);
      this.#unstored.delete(key);
    } catch {
      this.#unstored.set(key, { response, expiresAtMs });
    }
  }

  /** Stores a key's result (after a write, and when replaying the WAL). */
  async remember(key: string, response: string, expiresAtMs: number): Promise<void> {
    const now = new Date(this.#now());
    if (expiresAtMs <= now.getTime()) return;
    await this.#metadata.putIdempotency({ key, response, expiresAt: new Date(expiresAtMs) }, now);
  }
}

export function encodeWriteResult(result: WriteResult): string {
  return JSON.stringify(result, (_, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value,
  );
}

export function decodeWriteResult(text: string): WriteResult {
  const raw = JSON.parse(text) as WriteResult & { firstSequence?: string; lastSequence?: string };
  return {
    ...raw,
    ...(raw.firstSequence === undefined ? {} : { firstSequence: BigInt(raw.firstSequence) }),
    ...(raw.lastSequence === undefined ? {} : { lastSequence: BigInt(raw.lastSequence) }),
  };
}
