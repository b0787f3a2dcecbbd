import { createHash, randomUUID } from "node:crypto";
import { mkdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ObjectStore } from "@miniodb/core";

export interface ObjectFileCacheOptions {
  /** Emptied at start; DuckDB reads the files from here. */
  readonly directory: string;
  readonly objects: ObjectStore;
  /** Bytes kept before the least recently used unpinned files are deleted. */
  readonly maxBytes: number;
  /**
   * Told of the objects each `acquire` looked up, once per call: `hit` when a local copy existed
   * (or was being fetched).
   */
  readonly onLookups?: (lookups: readonly CacheLookup[]) => void;
}

/** One object looked up by `acquire`. */
export interface CacheLookup {
  readonly key: string;
  readonly hit: boolean;
}

/** Counters since start, and what the cache holds now. */
export interface ObjectFileCacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Bytes fetched from the object store since start. */
  readonly fetchedBytes: number;
  readonly bytes: number;
  readonly files: number;
  readonly maxBytes: number;
}

/** An object to have as a local file: its key and the ETag of the version wanted. */
export interface CachedObjectRef {
  readonly key: string;
  readonly etag: string;
}

/** Local copies pinned for one query; `release` lets them be evicted again. */
export interface CacheLease {
  /** Local path of each requested object key. */
  readonly paths: ReadonlyMap<string, string>;
  /** How many of the objects had no local copy and were fetched from the object store. */
  readonly fetched: number;
  release(): void;
}

interface Entry {
  readonly path: string;
  size: number;
  pins: number;
  ready: Promise<void>;
}

/**
 * Local copies of immutable objects (data files), for DuckDB to read. Entries are keyed by object
 * key and ETag, so a rewritten object is a different entry; the total size is bounded, evicting
 * the least recently used files that no running query holds (a query's files may push the total
 * over the bound while it runs).
 */
export class ObjectFileCache {
  readonly #options: ObjectFileCacheOptions;
  /** By object key and ETag, in least-recently-used order: a hit moves its entry to the end. */
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #fetchedBytes = 0;

  private constructor(options: ObjectFileCacheOptions) {
    this.#options = options;
  }

  static async create(options: ObjectFileCacheOptions): Promise<ObjectFileCache> {
    await rm(options.directory, { recursive: true, force: true });
    await mkdir(options.directory, { recursive: true });
    return new ObjectFileCache(options);
  }

  get bytes(): number {
    return this.#bytes;
  }

  stats(): ObjectFileCacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      fetchedBytes: this.#fetchedBytes,
      bytes: this.#bytes,
      files: this.#entries.size,
      maxBytes: this.#options.maxBytes,
    };
  }

  /** Fetches what is missing (in parallel), pins everything until `release`. */
  async acquire(refs: readonly CachedObjectRef[]): Promise<CacheLease> {
    const held: Entry[] = [];
    const paths = new Map<string, string>();
    const lookups: CacheLookup[] = [];
    const missesBefore = this.#misses;
    const release = () => {
      for (const entry of held.splice(0)) entry.pins--;
      this.#evict();
    };
    try {
      const entries = refs.map((ref) => {
        const entry = this.#entry(ref, lookups);
        entry.pins++;
        held.push(entry);
        paths.set(ref.key, entry.path);
        return entry;
      });
      this.#options.onLookups?.(lookups);
      await Promise.all(entries.map((entry) => entry.ready));
    } catch (error) {
      release();
      throw error;
    }
    this.#evict();
    return { paths, fetched: this.#misses - missesBefore, release };
  }

  #entry(ref: CachedObjectRef, lookups: CacheLookup[]): Entry {
    const name = `${ref.key}\u0000${ref.etag}`;
    const existing = this.#entries.get(name);
    if (existing) {
      this.#entries.delete(name);
      this.#entries.set(name, existing);
      this.#hits++;
      lookups.push({ key: ref.key, hit: true });
      return existing;
    }
    this.#misses++;
    lookups.push({ key: ref.key, hit: false });
    // The file is named by a hash of key and ETag: a fixed-length name whatever the key holds.
    const fileName = createHash("sha256").update(name).digest("hex");
    const entry: Entry = {
      path: join(this.#options.directory, `${fileName}.parquet`),
      size: 0,
      pins: 0,
      ready: Promise.resolve(),
    };
    entry.ready = this.#fetch(ref.key, entry).catch((error: unknown) => {
      if (this.#entries.get(name) === entry) this.#entries.delete(name);
      throw error;
    });
    this.#entries.set(name, entry);
    return entry;
  }

  async #fetch(key: string, entry: Entry): Promise<void> {
    const body = await this.#options.objects.get(key);
    const temporary = `${entry.path}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, body);
      await rename(temporary, entry.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    entry.size = body.byteLength;
    this.#bytes += entry.size;
    this.#fetchedBytes += entry.size;
  }

  #evict(): void {
    for (const [name, entry] of this.#entries) {
      if (this.#bytes <= this.#options.maxBytes) return;
      if (entry.pins > 0 || entry.size === 0) continue;
      this.#entries.delete(name);
      this.#bytes -= entry.size;
      unlink(entry.path).catch(() => undefined);
    }
  }
}
