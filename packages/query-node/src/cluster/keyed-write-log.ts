import { createHash } from "node:crypto";
import { MiniodbError, type MetadataStore } from "@miniodb/core";
import { decodeWriteResult, encodeWriteResult, type WriteResult } from "@miniodb/worker-node";
import { digestOfIndices } from "./write-parts.js";

/** An idempotency key may be any printable ASCII, 1–255 characters (as on a single node). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const PREFIX = "cluster-write:";

/** The first entry of a keyed write's log: what a retry must reuse. */
interface FirstEntry {
  readonly expiresAtMs: number;
  /** Parallel to the records: the id this write generated for each, "" where it generated none. */
  readonly ids: readonly string[];
  readonly parts: ReadonlyArray<readonly number[]>;
}

/** What a keyed write starts from: its own plan, or the plan of an earlier call of the same key. */
export interface KeyedWriteStart {
  /** The generated ids to use (the earlier call's when resumed). */
  readonly ids: readonly string[];
  /** Every logged part, entry by entry; only the first when this call started the log. */
  readonly entries: ReadonlyArray<ReadonlyArray<readonly number[]>>;
  readonly resumed: boolean;
}

/**
 * A keyed cluster write's record in the metadata store (shared by every query node, kept across
 * restarts), all under `cluster-write:<sha256(key)>`:
 * - `:log:0` — the ids the write generated and the parts of its first attempt, stored before any
 *   worker is asked (first writer wins: a retry reuses them);
 * - `:log:<n>` — the parts of each later attempt that split a refused part, stored before sending;
 * - `:part:<digest of indices>` — the key a part's worker stores the part's result under;
 * - `:result` — the write's result, stored once every part is answered.
 * Every entry expires with the first: the window starts at the first call.
 */
export class KeyedWriteLog {
  readonly #metadata: MetadataStore;
  readonly #base: string;
  readonly #windowMs: number;
  readonly #now: () => number;
  #expiresAtMs = 0;
  #next = 0;

  constructor(metadata: MetadataStore, key: string, windowMs: number, now: () => number = Date.now) {
    if (!KEY_PATTERN.test(key)) {
      throw new MiniodbError(
        "invalid_argument",
        "an idempotency key must be 1–255 printable ASCII characters",
        { details: { field: "idempotency_key" } },
      );
    }
    this.#metadata = metadata;
    this.#base = PREFIX + createHash("sha256").update(key).digest("base64url");
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** The key a part's worker stores its result under. */
  partKey(indices: readonly number[]): string {
    return `${this.#base}:part:${digestOfIndices(indices)}`;
  }

  /** The stored result of an earlier call that finished. */
  async result(): Promise<WriteResult | undefined> {
    const stored = await this.#metadata.getIdempotency(`${this.#base}:result`, new Date(this.#now()));
    return stored && decodeWriteResult(stored.response);
  }

  /** The stored result of a part, if a worker wrote it. */
  async partResult(indices: readonly number[]): Promise<WriteResult | undefined> {
    const stored = await this.#metadata.getIdempotency(this.partKey(indices), new Date(this.#now()));
    return stored && decodeWriteResult(stored.response);
  }

  /** Logs this call's plan, or, when an earlier call logged one, reads that call's log. */
  async begin(ids: readonly string[], parts: ReadonlyArray<readonly number[]>): Promise<KeyedWriteStart> {
    const now = this.#now();
    const mine: FirstEntry = { expiresAtMs: now + this.#windowMs, ids, parts };
    const response = JSON.stringify(mine);
    const stored = await this.#metadata.putIdempotency(
      { key: `${this.#base}:log:0`, response, expiresAt: new Date(mine.expiresAtMs) },
      new Date(now),
    );
    this.#next = 1;
    if (stored.response === response) {
      this.#expiresAtMs = mine.expiresAtMs;
      return { ids, entries: [parts], resumed: false };
    }
    const first = JSON.parse(stored.response) as FirstEntry;
    this.#expiresAtMs = first.expiresAtMs;
    const entries = [first.parts];
    for (;;) {
      const entry = await this.#metadata.getIdempotency(`${this.#base}:log:${this.#next}`, new Date(now));
      if (!entry) break;
      entries.push(JSON.parse(entry.response) as number[][]);
      this.#next++;
    }
    return { ids: first.ids, entries, resumed: true };
  }

  /** Logs parts before they are sent (after the first attempt's). */
  async append(parts: ReadonlyArray<readonly number[]>): Promise<void> {
    const response = JSON.stringify(parts);
    for (;;) {
      const key = `${this.#base}:log:${this.#next++}`;
      const stored = await this.#metadata.putIdempotency(
        { key, response, expiresAt: new Date(this.#expiresAtMs) },
        new Date(this.#now()),
      );
      // Taken by a call of the same key running at the same time: the next number is free.
      if (stored.response === response) return;
    }
  }

  /** Stores the write's result; answers the one stored first when another call finished before. */
  async finish(result: WriteResult): Promise<WriteResult> {
    if (result.written === 0) return result;
    const response = encodeWriteResult(result);
    const stored = await this.#metadata.putIdempotency(
      { key: `${this.#base}:result`, response, expiresAt: new Date(this.#expiresAtMs) },
      new Date(this.#now()),
    );
    return stored.response === response ? result : decodeWriteResult(stored.response);
  }
}
