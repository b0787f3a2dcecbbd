import type { DuckDbEngine } from "./duckdb-engine.js";
import type { ObjectFileCache } from "./object-file-cache.js";
import {
  covers,
  picture,
  sameHidden,
  sumBytes,
  type LiveRowsRequest,
  type Picture,
} from "./live-row-picture.js";
import { fillLiveRowTable, LIVE_FILE_COLUMN } from "./live-row-table-statements.js";
import { quoteIdentifier } from "./sql-quote.js";

export type { LiveRowsRequest } from "./live-row-picture.js";

export interface LiveRowTablesOptions {
  readonly engine: DuckDbEngine;
  /** Pins the source files while a table is built. */
  readonly cache: ObjectFileCache;
  /** The engine's attached database the tables live in (DuckDbEngineOptions.attach). */
  readonly database: string;
  /** Total size of the source Parquet files the tables may hold; 0 turns them off. */
  readonly maxBytes: number;
  /** A failed build is tried again after this long; 30 s by default. */
  readonly retryMs?: number;
  /**
   * After a build, the same table is not built again for this many times the build's duration
   * (1 by default), so that constant updates leave the cores to queries at least half the time.
   */
  readonly rebuildPauseRatio?: number;
  /** A table nobody used for this long is dropped; 10 minutes by default. */
  readonly idleMs?: number;
  readonly onBuilt?: (event: LiveRowsBuilt) => void;
  readonly onError?: (error: unknown, table: string) => void;
}

/** What a build did, for the log. */
export interface LiveRowsBuilt {
  readonly table: string;
  readonly schemaVersion: number;
  readonly files: number;
  /** Ids whose rows the tombstones hide. */
  readonly hiddenIds: number;
  readonly ms: number;
}

/** A live-row table a query reads; `release` when the query ends. */
export interface LiveRowsLease {
  /** A relation (table or subquery) of the request's files' live rows, with their stored columns. */
  readonly relation: string;
  release(): void;
}

export interface LiveRowTablesStats {
  readonly tables: number;
  /** Size of the source files the tables hold. */
  readonly bytes: number;
  readonly builds: number;
  readonly failures: number;
  /** Table reads by queries (leases), since start. */
  readonly reads: number;
}

interface Entry {
  readonly key: string;
  readonly table: string;
  readonly schemaVersion: number;
  /** The table's qualified name, what it holds and its file numbers, once built. */
  built?: Built | undefined;
  /** The picture being built, and the one to build next. */
  building?: Picture | undefined;
  wanted?: Picture | undefined;
  /** `performance.now()` before which no build starts. */
  notBefore: number;
  lastUsed: number;
}

interface Built {
  readonly name: string;
  /** Replaced by an equal map a query brought, so that later queries compare by identity. */
  picture: Picture;
  /** Source file key → its number in the table's file column. */
  readonly fileNumbers: ReadonlyMap<string, number>;
}

/**
 * Local DuckDB tables holding the live rows of data files that updates or deletes touched: the
 * files' rows with every row a tombstone hides deleted. A query reads such a table where it would
 * otherwise anti-join every row of those files against the tombstones (several times slower than
 * reading the files), so scans after updates cost about what they cost before them, until
 * compaction rewrites the files. One table per table and schema version.
 *
 * A table is used only when it holds exactly what the query would compute: its files include the
 * query's, and the rows it removed are those the query's tombstones hide (compared per id, by the
 * highest sequence). Otherwise the query takes the tombstone join, and a build of the query's
 * picture is queued. Builds run one at a time in the background under a new name; queries never
 * wait for one, and keep reading the table it replaces for as long as that matches them. A
 * replaced table is dropped once no query reads it. A query whose tombstones were read before
 * those of the table (or of the build queued) changes nothing: it raced a newer one. A newer query
 * that finds the table hiding more than its tombstones do (a restore, or tombstones retired by
 * compaction) has it rebuilt.
 */
export class LiveRowTables {
  readonly #options: LiveRowTablesOptions;
  readonly #entries = new Map<string, Entry>();
  /** Queries reading each table, by its qualified name. */
  readonly #readers = new Map<string, number>();
  /** Tables replaced or forgotten while queries still read them: dropped when the last one ends. */
  readonly #retired = new Set<string>();
  #queue: Promise<void> = Promise.resolve();
  /** Builds waiting for their pause to end (see rebuildPauseRatio). */
  #delayed = 0;
  #tableNumber = 0;
  #builds = 0;
  #failures = 0;
  #reads = 0;
  #closed = false;
  #interrupt: (() => void) | undefined;

  constructor(options: LiveRowTablesOptions) {
    this.#options = options;
  }

  /** The live rows of the request's files, if a table holds exactly them; else undefined. */
  use(request: LiveRowsRequest): LiveRowsLease | undefined {
    if (this.#closed || this.#options.maxBytes <= 0 || request.files.length === 0) return undefined;
    this.#dropIdle();
    const entry = this.#entry(request);
    entry.lastUsed = performance.now();
    const { built } = entry;
    if (built && covers(built.picture, request)) {
      if (built.picture.hidden !== request.hidden)
        built.picture = { ...built.picture, hidden: request.hidden };
      return this.#lease(built, request);
    }
    const latest = entry.wanted ?? entry.building ?? built?.picture;
    // A picture older than the latest is a race with a newer query; one that the latest covers
    // needs no build of its own.
    if (latest && latest !== built?.picture && covers(latest, request)) return undefined;
    if (latest && request.tombstonesReadAt <= latest.tombstonesReadAt) return undefined;
    let wanted = picture(latest, request);
    if (!this.#fits(entry, wanted)) {
      // A table that still hides what the query's tombstones hide keeps serving the queries whose
      // files it holds; this one takes the join.
      if (built && sameHidden(built.picture.hidden, request.hidden)) return undefined;
      wanted = picture(undefined, request);
      if (!this.#fits(entry, wanted)) {
        // Too large to keep: a table that no longer matches only takes room.
        if (built && !entry.building && !entry.wanted) this.#replace(entry, undefined);
        return undefined;
      }
    }
    if (entry.building || entry.wanted) {
      entry.wanted = wanted;
      return undefined;
    }
    entry.wanted = wanted;
    this.#schedule(entry);
    return undefined;
  }

  stats(): LiveRowTablesStats {
    let bytes = 0;
    let tables = 0;
    for (const entry of this.#entries.values())
      if (entry.built) {
        tables++;
        bytes += sumBytes(entry.built.picture.files);
      }
    return { tables, bytes, builds: this.#builds, failures: this.#failures, reads: this.#reads };
  }

  /** Resolves once no build is queued, running or waiting for its pause (for tests). */
  async settled(): Promise<void> {
    for (let queue = this.#queue; ; queue = this.#queue) {
      await queue;
      if (queue === this.#queue && this.#delayed === 0) return;
      if (queue === this.#queue) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Stops the running build, refuses new ones and drops every table (queries still reading fail). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#interrupt?.();
    await this.#queue;
    const names = [...this.#retired];
    for (const entry of this.#entries.values()) if (entry.built) names.push(entry.built.name);
    this.#entries.clear();
    this.#retired.clear();
    for (const name of names) await this.#drop(name);
  }

  #entry(request: LiveRowsRequest): Entry {
    const key = `${request.table}\u0000${request.schemaVersion}`;
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { key, table: request.table, schemaVersion: request.schemaVersion, notBefore: 0, lastUsed: 0 };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #lease(built: Built, request: LiveRowsRequest): LiveRowsLease {
    const { name, fileNumbers } = built;
    this.#readers.set(name, (this.#readers.get(name) ?? 0) + 1);
    this.#reads++;
    let released = false;
    const relation =
      request.files.length === fileNumbers.size
        ? name
        : `(SELECT * FROM ${name} WHERE ${quoteIdentifier(LIVE_FILE_COLUMN)} IN ` +
          `(${request.files.map((file) => fileNumbers.get(file.key)!).join(", ")}))`;
    return {
      relation,
      release: () => {
        if (released) return;
        released = true;
        const left = this.#readers.get(name)! - 1;
        if (left > 0) return void this.#readers.set(name, left);
        this.#readers.delete(name);
        if (this.#retired.delete(name) && !this.#closed) this.#enqueue(() => this.#drop(name));
      },
    };
  }

  /** Whether `wanted` would fit beside the other tables once the idle ones were dropped. */
  #fits(entry: Entry, wanted: Picture): boolean {
    return this.#victims(entry, sumBytes(wanted.files)) !== undefined;
  }

  /**
   * The idle tables to drop, least recently used first, for `bytes` more to fit beside the other
   * tables (built, being built or queued); undefined when they cannot.
   */
  #victims(entry: Entry, bytes: number): Entry[] | undefined {
    const { maxBytes } = this.#options;
    if (bytes > maxBytes) return undefined;
    let total = 0;
    for (const other of this.#entries.values())
      if (other !== entry) total += sumBytes(other.built?.picture.files ?? []) + pendingBytes(other);
    const idle = [...this.#entries.values()]
      .filter((other) => other !== entry && other.built && this.#idle(other))
      .sort((a, b) => a.lastUsed - b.lastUsed);
    const victims: Entry[] = [];
    while (total + bytes > maxBytes) {
      const victim = idle.shift();
      if (!victim) return undefined;
      total -= sumBytes(victim.built!.picture.files);
      victims.push(victim);
    }
    return victims;
  }

  #dropIdle(): void {
    const { idleMs = 600_000 } = this.#options;
    const now = performance.now();
    for (const entry of this.#entries.values())
      if (now - entry.lastUsed > idleMs && this.#idle(entry)) this.#forget(entry);
  }

  #idle(entry: Entry): boolean {
    return (
      entry.building === undefined &&
      entry.wanted === undefined &&
      (entry.built === undefined || !this.#readers.has(entry.built.name))
    );
  }

  /** Removes the entry; its table is dropped once no query reads it. */
  #forget(entry: Entry): void {
    if (this.#entries.get(entry.key) === entry) this.#entries.delete(entry.key);
    this.#replace(entry, undefined);
  }

  /** Makes `built` the entry's table; the one it had is dropped once no query reads it. */
  #replace(entry: Entry, built: Built | undefined): void {
    const old = entry.built?.name;
    entry.built = built;
    if (old === undefined) return;
    if (this.#readers.has(old)) this.#retired.add(old);
    else this.#enqueue(() => this.#drop(old));
  }

  /**
   * Queues the entry's build, at once or when its pause ends: a failed build waits before it is
   * tried again, and a table is not rebuilt sooner than its last build took, so that constant
   * updates do not keep the cores busy rebuilding.
   */
  #schedule(entry: Entry): void {
    const wait = entry.notBefore - performance.now();
    if (wait <= 0) return this.#enqueue(() => this.#build(entry));
    this.#delayed++;
    setTimeout(() => {
      this.#delayed--;
      this.#enqueue(() => this.#build(entry));
    }, wait).unref();
  }

  /** Queues a step; a step that fails (a callback that threw) is reported and the queue goes on. */
  #enqueue(step: () => Promise<void>): void {
    this.#queue = this.#queue.then(step).catch((error: unknown) => {
      try {
        this.#options.onError?.(error, "live-row tables");
      } catch {
        // Nothing is left to tell.
      }
    });
  }

  async #drop(name: string): Promise<void> {
    try {
      await this.#options.engine.withSession((session) => session.run(`DROP TABLE IF EXISTS ${name}`), {
        timeoutMs: 0,
      });
    } catch (error) {
      this.#options.onError?.(error, name);
    }
  }

  async #build(entry: Entry): Promise<void> {
    const wanted = entry.wanted;
    entry.wanted = undefined;
    if (!wanted || this.#closed || this.#entries.get(entry.key) !== entry) return;
    const victims = this.#victims(entry, sumBytes(wanted.files));
    if (!victims) return;
    for (const victim of victims) this.#forget(victim);
    entry.building = wanted;
    const started = performance.now();
    const name = `${quoteIdentifier(this.#options.database)}.${quoteIdentifier(`t${++this.#tableNumber}`)}`;
    let built = false;
    try {
      await this.#create(name, wanted);
      built = true;
    } catch (error) {
      this.#failures++;
      entry.notBefore = performance.now() + (this.#options.retryMs ?? 30_000);
      entry.wanted = undefined;
      await this.#drop(name);
      if (!this.#closed) this.#options.onError?.(error, entry.table);
    } finally {
      entry.building = undefined;
    }
    if (!built) return;
    const ms = performance.now() - started;
    if (this.#closed || this.#entries.get(entry.key) !== entry) return this.#drop(name);
    this.#replace(entry, {
      name,
      picture: wanted,
      fileNumbers: new Map(wanted.files.map((file, index) => [file.key, index])),
    });
    entry.notBefore = performance.now() + ms * (this.#options.rebuildPauseRatio ?? 1);
    this.#builds++;
    // Queries that came during the build asked for a newer picture.
    if (entry.wanted) this.#schedule(entry);
    this.#options.onBuilt?.({
      table: entry.table,
      schemaVersion: entry.schemaVersion,
      files: wanted.files.length,
      hiddenIds: wanted.hidden.size,
      ms,
    });
  }

  /**
   * Creates table `name` holding the picture's live rows, its files pinned in the cache meanwhile.
   */
  async #create(name: string, wanted: Picture): Promise<void> {
    const { engine, cache } = this.#options;
    const lease = await cache.acquire(wanted.files);
    try {
      await engine.withSession(
        async (session) => {
          this.#interrupt = () => session.interrupt();
          await fillLiveRowTable(
            session,
            name,
            wanted.files.map((file) => lease.paths.get(file.key)!),
            wanted.hidden,
          );
        },
        { timeoutMs: 0 },
      );
    } finally {
      lease.release();
      this.#interrupt = undefined;
    }
  }
}

function pendingBytes(entry: Entry): number {
  return sumBytes(entry.building?.files ?? []) + sumBytes(entry.wanted?.files ?? []);
}
