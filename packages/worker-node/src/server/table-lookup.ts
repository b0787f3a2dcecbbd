import { MiniodbError, type MetadataStore, type TableEntry } from "@miniodb/core";

/** How long a table entry is reused without asking the metadata store. */
const LOOKUP_TTL_MS = 1_000;

/** Table entries for the write path, cached briefly (a metadata round trip per batch shows). */
export class TableLookup {
  readonly #metadata: MetadataStore;
  readonly #entries = new Map<string, { entry: TableEntry; expiresAtMs: number }>();

  constructor(metadata: MetadataStore) {
    this.#metadata = metadata;
  }

  /** The table's entry; not_found when it does not exist. */
  async require(name: string): Promise<TableEntry> {
    const cached = this.#entries.get(name);
    if (cached && cached.expiresAtMs > Date.now()) return cached.entry;
    const entry = await this.#metadata.getTable(name);
    if (!entry) {
      this.#entries.delete(name);
      throw new MiniodbError("not_found", `table ${name} does not exist`, { details: { table: name } });
    }
    this.#entries.set(name, { entry, expiresAtMs: Date.now() + LOOKUP_TTL_MS });
    return entry;
  }

  forget(name: string): void {
    this.#entries.delete(name);
  }
}
