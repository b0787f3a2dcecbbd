import { MiniodbError, type MetadataStore, type TableEntry } from "@miniodb/core";
import { quoteSqlIdentifier, quoteSqlLiteral } from "@miniodb/executor";
import type { RecordInput } from "@miniodb/worker-node";
import type { DataPlane } from "./data-plane.js";
import type { QueryService } from "./query-service.js";
import type { TableService } from "./table-service.js";
import { noteRequest } from "../observability/request-context.js";

export interface MutationServiceOptions {
  readonly metadata: MetadataStore;
  readonly tables: TableService;
  readonly queries: QueryService;
  readonly data: DataPlane;
  readonly maxBatchRecords: number;
  readonly now?: () => Date;
}

/**
 * UpdateData and DeleteData, merge-on-read: rows are never rewritten here. A tombstone `(id,
 * sequence)` hides every version of the record with a sequence at or below it, from the next
 * query on, buffered or flushed; compaction removes the dead rows later.
 *
 * An update first writes the new version (durable in the WAL like any write), then stores a
 * tombstone just below its sequence: if the second step fails the update reports the failure and
 * both versions stay visible until it is retried; nothing acknowledged is lost.
 */
export class MutationService {
  readonly #options: MutationServiceOptions;

  constructor(options: MutationServiceOptions) {
    this.#options = options;
  }

  /** Replaces every version of `record.id` with `record`; not_found when no version is visible. */
  async update(table: string, record: RecordInput): Promise<void> {
    noteRequest({ table });
    const id = record.id ?? "";
    if (id === "")
      throw new MiniodbError("invalid_argument", "an update needs the record's id", {
        details: { field: "id" },
      });
    const entry = await this.#options.tables.require(table);
    const visible = await this.#visibleCounts(entry, [id]);
    if (!visible.has(id)) {
      throw new MiniodbError("not_found", `table ${entry.name} has no record with id ${JSON.stringify(id)}`, {
        details: { table: entry.name, id },
      });
    }
    const result = await this.#options.data.write(entry, [record]);
    await this.#options.metadata.addTombstones(entry.name, [
      { id, sequence: result.firstSequence! - 1n, soft: false, createdAt: this.#now() },
    ]);
    noteRequest({ rows: 1 });
  }

  /**
   * Deletes every version of each id; returns how many rows were visible (and are now deleted).
   * Ids with no visible row are skipped. `soft` tombstones keep the rows restorable until purged.
   */
  async delete(table: string, ids: readonly string[], soft: boolean): Promise<number> {
    noteRequest({ table });
    this.#checkIds(ids);
    const entry = await this.#options.tables.require(table);
    const visible = await this.#visibleCounts(entry, [...new Set(ids)]);
    if (visible.size === 0) return 0;
    const sequence = await this.#options.data.nextSequence(entry.name, [...visible.keys()]);
    const createdAt = this.#now();
    await this.#options.metadata.addTombstones(
      entry.name,
      [...visible.keys()].map((id) => ({ id, sequence, soft, createdAt })),
    );
    noteRequest({ rows: sum(visible) });
    return sum(visible);
  }

  /**
   * Brings soft-deleted records back: removes the soft tombstones of each id (putting back the
   * update's tombstone a soft delete replaced, so an updated record comes back as its latest
   * version only) and returns how many rows became visible again. An id with a hard tombstone (a hard delete, or an update, which
   * replaces older versions for good) is failed_precondition and nothing is restored.
   */
  async restore(table: string, ids: readonly string[]): Promise<number> {
    this.#checkIds(ids);
    const entry = await this.#options.tables.require(table);
    const wanted = new Set(ids);
    const tombstones = await this.#options.metadata.listTombstones(entry.name, [...wanted]);
    const hard = tombstones.find((tombstone) => !tombstone.soft);
    if (hard) {
      throw new MiniodbError(
        "failed_precondition",
        `record ${JSON.stringify(hard.id)} was hard-deleted or replaced by an update; only soft deletes can be restored`,
        { details: { table: entry.name, id: hard.id } },
      );
    }
    if (tombstones.length === 0) return 0;
    const before = await this.#visibleCounts(entry, [...wanted]);
    await this.#options.metadata.restoreTombstones(
      entry.name,
      tombstones.map((tombstone) => ({ id: tombstone.id, sequence: tombstone.sequence })),
    );
    const after = await this.#visibleCounts(entry, [...wanted]);
    return sum(after) - sum(before);
  }

  #checkIds(ids: readonly string[]): void {
    if (ids.length === 0 || ids.some((id) => typeof id !== "string" || id === "")) {
      throw new MiniodbError("invalid_argument", "name at least one record id, none of them empty", {
        details: { field: "id" },
      });
    }
    if (ids.length > this.#options.maxBatchRecords) {
      throw new MiniodbError(
        "payload_too_large",
        `${ids.length} ids in one request; the limit is ${this.#options.maxBatchRecords} (limits.max_batch_records)`,
      );
    }
  }

  /** Visible rows per id, for the ids that have any. */
  async #visibleCounts(entry: TableEntry, ids: readonly string[]): Promise<Map<string, number>> {
    const list = ids.map(quoteSqlLiteral).join(", ");
    const sql = `SELECT id, count(*) AS n FROM ${quoteSqlIdentifier(entry.name)} WHERE id IN (${list}) GROUP BY id`;
    const rows = await this.#options.queries.withTables(
      [{ entry, range: { ids } }],
      async (session) => (await session.readAll(sql)).rows,
    );
    return new Map(rows.map((row) => [String(row["id"]), Number(row["n"])]));
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

function sum(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}
