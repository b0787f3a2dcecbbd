import { MiniodbError } from "@miniodb/core";
import type { SqliteDatabase } from "../sqlite-database.js";
import { MAX_INT64 } from "./sqlite-values.js";

/** The `sequences` table: named counters; `next` is the first value not yet handed out. */
export class SequenceTable {
  readonly #next;
  readonly #store;

  constructor(db: SqliteDatabase) {
    this.#next = db
      .prepare<[string], bigint>("SELECT next FROM sequences WHERE name = ?")
      .pluck()
      .safeIntegers();
    this.#store = db.prepare<[string, bigint]>("INSERT OR REPLACE INTO sequences (name, next) VALUES (?, ?)");
  }

  /** Reserves `count` consecutive values and returns the first; a new counter starts at 1. */
  reserve(name: string, count: number): bigint {
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new MiniodbError("invalid_argument", `sequence count must be a positive integer, got ${count}`);
    }
    const first = this.#next.get(name) ?? 1n;
    const next = first + BigInt(count);
    if (next > MAX_INT64) {
      throw new MiniodbError("resource_exhausted", `sequence ${name} would pass 2^63 - 1`, {
        retryable: false,
      });
    }
    this.#store.run(name, next);
    return first;
  }
}
