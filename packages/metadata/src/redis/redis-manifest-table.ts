import {
  MiniodbError,
  metadataKeys,
  type LeaseFence,
  type Manifest,
  type ManifestChange,
} from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { REQUIRE_TABLE_LUA, scriptValues } from "./script-reply.js";
import { redisValues } from "./redis-values.js";

/** KEYS: config, manifest. The table's identity, version and files, read in one atomic step. */
const LOAD_LUA = `local head = redis.call('HMGET', KEYS[1], 'uid', 'manifest_version')
if not head[1] then return {'ok'} end
return {'ok', head[1], tonumber(head[2]), redis.call('HGETALL', KEYS[2])}`;

/**
 * KEYS: config, manifest. ARGV: table, expected version ('' for none), fence lease name ('' for
 * none), fence token, n, n keys to remove, then key/value pairs to add. Checks everything before
 * writing, so a refused commit changes nothing. A fenced commit records its token in the config
 * hash (`fence:<lease>`) and is refused when a commit already carried a higher one.
 */
const COMMIT_LUA = `${REQUIRE_TABLE_LUA}
local current = tonumber(redis.call('HGET', KEYS[1], 'manifest_version'))
local strict = ARGV[2] ~= ''
if strict and tonumber(ARGV[2]) ~= current then
  return {'aborted', 'manifest is at version ' .. current .. ', not ' .. ARGV[2]}
end
local fenced = ARGV[3] ~= ''
if fenced then
  local seen = tonumber(redis.call('HGET', KEYS[1], 'fence:' .. ARGV[3]) or '0')
  if seen > tonumber(ARGV[4]) then
    return {'aborted', 'lease ' .. ARGV[3] .. ' was granted again after token ' .. ARGV[4]}
  end
end
local nremove = tonumber(ARGV[5])
local removed = {}
for i = 6, 5 + nremove do
  removed[ARGV[i]] = true
  if strict and redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then
    return {'aborted', 'file ' .. ARGV[i] .. ' is not in the manifest'}
  end
end
local added = {}
for i = 6 + nremove, #ARGV, 2 do
  local key = ARGV[i]
  if added[key] or (not removed[key] and redis.call('HEXISTS', KEYS[2], key) == 1) then
    return {'already_exists', 'file ' .. key .. ' is already in the manifest'}
  end
  added[key] = true
end
if fenced then redis.call('HSET', KEYS[1], 'fence:' .. ARGV[3], ARGV[4]) end
for i = 6, 5 + nremove do redis.call('HDEL', KEYS[2], ARGV[i]) end
for i = 6 + nremove, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return {'ok', redis.call('HGET', KEYS[1], 'uid'), redis.call('HINCRBY', KEYS[1], 'manifest_version', 1)}`;

interface CachedManifest {
  /** Identity of the table incarnation: a table deleted and created again restarts at version 0. */
  readonly uid: string;
  readonly manifest: Manifest;
}

/**
 * Manifests in `table:{<t>}:manifest` (object key → data file) with the version in the config
 * hash, and a per-store cache: the query path reads a manifest on every query, so a read costs one
 * HMGET of the table's uid and version while nothing changed, and one atomic load (the files in a
 * single reply, never a round trip per file) when something did. This store's own commits update
 * the cached copy in place. Returned manifests are shared and frozen.
 *
 * CAS semantics equal the embedded store's: with `expectedVersion`, the change applies only at
 * that version and every key to remove must be present (else `aborted`); without it, missing keys
 * to remove are ignored. Adding a key already in the table's manifest is `already_exists`. Keys
 * are unique per table (the embedded store also checks across tables, which would need a
 * cross-slot index here; object keys embed the table name, so callers cannot collide across tables).
 */
export class RedisManifestTable {
  readonly #client: RedisClient;
  readonly #cache = new Map<string, CachedManifest>();

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async get(table: string): Promise<Manifest> {
    const cached = this.#cache.get(table);
    if (cached) {
      const [uid, version] = await this.#client.hmget(
        metadataKeys.table(table, "config"),
        "uid",
        "manifest_version",
      );
      if (uid === cached.uid && Number(version) === cached.manifest.version) return cached.manifest;
    }
    return this.#load(table);
  }

  /** Applies `change` atomically (see the class comment) and returns the new version. */
  async commit(table: string, change: ManifestChange): Promise<number> {
    const remove = change.remove ?? [];
    const add = change.add ?? [];
    const pairs = add.flatMap((file) => [file.key, redisValues.encodeFile(file)]);
    const expected =
      change.expectedVersion === undefined
        ? ""
        : String(redisValues.integer(change.expectedVersion, "expectedVersion"));
    const fence = change.fence;
    if (fence) await this.#requireLease(table, fence);
    const keys = [metadataKeys.table(table, "config"), metadataKeys.table(table, "manifest")];
    const args = [
      table,
      expected,
      fence?.name ?? "",
      fence ? String(redisValues.integer(fence.token, "fence.token")) : "",
      String(remove.length),
      ...remove,
      ...pairs,
    ];
    const reply = await this.#client.eval(COMMIT_LUA, 2, ...keys, ...args);
    const details: Record<string, string> = fence ? { table, reason: "lease_lost" } : { table };
    const [uid, version] = scriptValues(reply, `cannot commit manifest of ${table}`, details) as [
      string,
      number,
    ];
    this.#updateCache(table, uid, version, change);
    return version;
  }

  /**
   * A fenced commit's lease must still carry its token. The lease lives in another key (another
   * Redis Cluster slot), so this is read just before the commit script; the script then refuses
   * the commit if any commit to the table already carried a newer token of the lease.
   */
  async #requireLease(table: string, fence: LeaseFence): Promise<void> {
    const [token] = await this.#client.hmget(metadataKeys.lease(fence.name), "token");
    if (token !== null && token !== undefined && Number(token) === fence.token) return;
    throw new MiniodbError(
      "aborted",
      `cannot commit manifest of ${table}: lease ${fence.name} was granted again after token ${fence.token}`,
      { details: { table, reason: "lease_lost" } },
    );
  }

  /** Parses the files a delete script returned and drops the cached copy. */
  deleted(table: string, version: number, flat: readonly string[]): Manifest {
    this.#cache.delete(table);
    return { table, version, files: redisValues.decodeFiles(flat) };
  }

  async #load(table: string): Promise<Manifest> {
    const keys = [metadataKeys.table(table, "config"), metadataKeys.table(table, "manifest")];
    const reply = await this.#client.eval_ro(LOAD_LUA, 2, ...keys);
    const [uid, version, flat] = scriptValues(reply, `cannot read manifest of ${table}`) as [
      string?,
      number?,
      string[]?,
    ];
    if (uid === undefined || version === undefined || flat === undefined) {
      this.#cache.delete(table);
      return Object.freeze({ table, version: 0, files: Object.freeze([]) });
    }
    const manifest = Object.freeze({ table, version, files: Object.freeze(redisValues.decodeFiles(flat)) });
    this.#cache.set(table, { uid, manifest });
    return manifest;
  }

  #updateCache(table: string, uid: string, version: number, change: ManifestChange): void {
    const cached = this.#cache.get(table);
    if (!cached) return;
    if (cached.uid !== uid || cached.manifest.version !== version - 1) {
      this.#cache.delete(table);
      return;
    }
    const removed = new Set(change.remove ?? []);
    const { files } = cached.manifest;
    const kept = removed.size === 0 ? files : files.filter((file) => !removed.has(file.key));
    const next = Object.freeze([...kept, ...(change.add ?? []).map(redisValues.freezeFile)]);
    this.#cache.set(table, { uid, manifest: Object.freeze({ table, version, files: next }) });
  }
}
