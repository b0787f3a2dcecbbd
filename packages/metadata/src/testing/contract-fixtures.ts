import assert from "node:assert/strict";
import {
  dataFileKey,
  MiniodbError,
  type DataFile,
  type ErrorCode,
  type MetadataStore,
  type TableConfig,
  type TableEntry,
} from "@miniodb/core";

/** The store under test; the suite opens it in `before`, so parts read it lazily. */
export type StoreRef = () => MetadataStore;

/**
 * A fixed instant far in the future (with milliseconds), so stores that also expire entries by the
 * wall clock (Redis TTLs) keep everything the tests write.
 */
const BASE = Date.UTC(2100, 0, 2, 3, 4, 5, 678);
const at = (offsetMs = 0) => new Date(BASE + offsetMs);

/** A config with every field set away from its default. */
function config(): TableConfig {
  return {
    bufferSize: 1234,
    flushIntervalSeconds: 17,
    retentionDays: 30,
    backupEnabled: true,
    properties: { owner: "analytics", "note ✓": 'ünïcode "quoted"\nline', empty: "" },
    idStrategy: "custom",
    idPrefix: "ord_",
    autoGenerateId: false,
    idValidation: { maxLength: 64, pattern: "^[a-z0-9_-]+$", allowedChars: "abcdef0123456789_-" },
  };
}

/** Sample values and assertions shared by the parts of the MetadataStore contract. */
export const contractFixtures = {
  /** `BASE + offsetMs` as a Date. */
  at,

  config,

  table(name: string, createdAt = at(1)): TableEntry {
    return { name, config: config(), createdAt };
  },

  /** The n-th data file of a table; its sequences lie above 2^53 to catch rounding. */
  file(table: string, n: number): DataFile {
    const minSequence = 2n ** 60n + BigInt(n) * 1000n + 1n;
    return {
      key: dataFileKey({ table, partition: "2100-01-02", nodeId: "node-a", sequence: minSequence }),
      partition: "2100-01-02",
      etag: `"etag-${n}"`,
      sizeBytes: 1_000_000 + n,
      rowCount: 10_000 + n,
      minTimestamp: BASE * 1000 + n,
      maxTimestamp: BASE * 1000 + 86_399_999_999,
      minId: `id-${n}-a`,
      maxId: `id-${n}-z`,
      schemaVersion: 1 + (n % 3),
      minSequence,
      maxSequence: minSequence + 999n,
      nodeId: "node-a",
      createdAt: at(n),
    };
  },

  byKey(files: readonly DataFile[]): DataFile[] {
    return [...files].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  },

  /** Asserts that `promise` rejects with a MiniodbError of `code`. */
  async rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(MiniodbError.is(error, code), `expected ${code}, got ${String(error)}`);
      return true;
    });
  },

  /** Splits settled promises into the values of the fulfilled ones and the rejection reasons. */
  settle<T>(results: PromiseSettledResult<T>[]): { values: T[]; errors: unknown[] } {
    const values: T[] = [];
    const errors: unknown[] = [];
    for (const result of results) {
      if (result.status === "fulfilled") values.push(result.value);
      else errors.push(result.reason);
    }
    return { values, errors };
  },
};
