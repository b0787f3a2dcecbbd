import { randomUUID } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { ByteRange, ObjectInfo, ObjectStore } from "@miniodb/core";
import { fromFileSystemError } from "./errors.js";
import { checkObjectKey, TEMP_DIRECTORY } from "./object-key-path.js";

export interface LocalObjectStoreOptions {
  /** Directory that holds the objects; created if missing. */
  readonly root: string;
}

/**
 * An ObjectStore on the local disk: one file per object under `root`, keys as relative paths.
 *
 * Writes are atomic and durable: the bytes go to a temp file that is fsynced, renamed into place,
 * and the directory is fsynced, so after a crash a key holds the old object or the whole new one.
 */
export class LocalObjectStore implements ObjectStore {
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  static async create({ root }: LocalObjectStoreOptions): Promise<LocalObjectStore> {
    // Leftovers in the temp directory are writes a crash interrupted: never acknowledged.
    await rm(join(root, TEMP_DIRECTORY), { recursive: true, force: true });
    await mkdir(join(root, TEMP_DIRECTORY), { recursive: true });
    return new LocalObjectStore(root);
  }

  async put(key: string, body: Uint8Array): Promise<ObjectInfo> {
    const path = this.#pathOf(key);
    const temp = join(this.root, TEMP_DIRECTORY, randomUUID());
    try {
      const handle = await open(temp, "wx");
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await mkdir(dirname(path), { recursive: true });
      await rename(temp, path);
      await syncDirectory(dirname(path));
      return await this.#infoOf(key, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw fromFileSystemError(error, key);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    const path = this.#pathOf(key);
    try {
      if (!range) return new Uint8Array(await readFile(path));
      const handle = await open(path, "r");
      try {
        const size = (await handle.stat()).size;
        const start = Math.min(Math.max(0, range.start), size);
        const end = Math.min(range.end ?? size, size);
        const buffer = new Uint8Array(Math.max(0, end - start));
        if (buffer.length > 0) await handle.read(buffer, 0, buffer.length, start);
        return buffer;
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw fromFileSystemError(error, key);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      return await this.#infoOf(key, this.#pathOf(key));
    } catch (error) {
      const translated = fromFileSystemError(error, key);
      if (translated.code === "not_found") return undefined;
      throw translated;
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Start at the deepest directory the prefix fully names; filter the rest by name.
    const directory = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    if (directory) checkObjectKey(directory);
    const keys = (await this.#filesUnder(join(this.root, directory)))
      .map((path) => relative(this.root, path).split(sep).join("/"))
      .filter((key) => key.startsWith(prefix) && !key.startsWith(`${TEMP_DIRECTORY}/`))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of keys) {
      const info = await this.head(key);
      if (info) yield info;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.#pathOf(key);
    try {
      await rm(path, { force: true });
    } catch (error) {
      throw fromFileSystemError(error, key);
    }
    await this.#pruneEmptyParents(dirname(path));
  }

  async close(): Promise<void> {
    // Nothing to release: every operation opens and closes its own file handles.
  }

  #pathOf(key: string): string {
    return join(this.root, ...checkObjectKey(key).split("/"));
  }

  async #infoOf(key: string, path: string): Promise<ObjectInfo> {
    const facts = await stat(path, { bigint: true });
    if (!facts.isFile()) throw Object.assign(new Error(`${key} is not a file`), { code: "ENOENT" });
    const etag = `${facts.ino.toString(16)}-${facts.mtimeNs.toString(16)}-${facts.size.toString(16)}`;
    return { key, size: Number(facts.size), etag, lastModified: new Date(Number(facts.mtimeMs)) };
  }

  async #filesUnder(directory: string): Promise<string[]> {
    try {
      const entries = await readdir(directory, { withFileTypes: true, recursive: true });
      return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw fromFileSystemError(error, directory);
    }
  }

  /** Removes directories left empty by a delete, up to (not including) the root. */
  async #pruneEmptyParents(directory: string): Promise<void> {
    while (directory.startsWith(this.root) && directory !== this.root) {
      try {
        await rmdir(directory);
      } catch {
        return; // not empty, or already gone
      }
      directory = dirname(directory);
    }
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
