import { tableDataPrefix, type MetadataStore, type ObjectStore } from "@miniodb/core";

export interface ObjectJanitorOptions {
  readonly metadata: MetadataStore;
  readonly objects: ObjectStore;
  /** How long an unlisted object is kept for queries that may still read it. */
  readonly graceMs: number;
  /** Keys still needed although no manifest lists them (e.g. by retained metadata backups). */
  readonly protectedKeys?: () => Promise<ReadonlySet<string>>;
  readonly now?: () => number;
}

/**
 * Deletes data objects that no manifest lists any more (replaced by compaction, expired by
 * retention, left by a failed flush) once they have been unlisted for the grace period, so
 * queries that started before the change keep their files. When an object was first seen
 * unlisted is remembered in memory: after a restart the grace period starts again, which only
 * delays a deletion.
 */
export class ObjectJanitor {
  readonly #options: ObjectJanitorOptions;
  readonly #unlistedSince = new Map<string, number>();

  constructor(options: ObjectJanitorOptions) {
    this.#options = options;
  }

  /** Starts the grace period of objects known to have just left a manifest. */
  retired(keys: readonly string[]): void {
    const now = this.#now();
    for (const key of keys) if (!this.#unlistedSince.has(key)) this.#unlistedSince.set(key, now);
  }

  /** Looks at every table's objects and deletes those unlisted for longer than the grace period. */
  async sweep(): Promise<{ deleted: number; waiting: number }> {
    const { metadata, objects } = this.#options;
    const now = this.#now();
    const keep = (await this.#options.protectedKeys?.()) ?? new Set<string>();
    const seen = new Set<string>();
    let deleted = 0;
    for (const table of await metadata.listTables()) {
      const listed = new Set((await metadata.getManifest(table.name)).files.map((file) => file.key));
      const due: string[] = [];
      for await (const object of objects.list(tableDataPrefix(table.name))) {
        if (listed.has(object.key) || keep.has(object.key)) continue;
        seen.add(object.key);
        const since = this.#unlistedSince.get(object.key) ?? now;
        this.#unlistedSince.set(object.key, since);
        if (now - since >= this.#options.graceMs) due.push(object.key);
      }
      if (due.length === 0) continue;
      // A manifest change since the listing may have taken an object back (a metadata restore).
      const again = new Set((await metadata.getManifest(table.name)).files.map((file) => file.key));
      for (const key of due) {
        if (again.has(key)) continue;
        await objects.delete(key);
        this.#unlistedSince.delete(key);
        seen.delete(key);
        deleted++;
      }
    }
    for (const key of this.#unlistedSince.keys()) if (!seen.has(key)) this.#unlistedSince.delete(key);
    return { deleted, waiting: this.#unlistedSince.size };
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }
}
