import { randomUUID } from "node:crypto";
import { metadataKeys, type TableConfig, type TableEntry } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { REQUIRE_TABLE_LUA, scriptValues } from "./script-reply.js";
import { redisValues } from "./redis-values.js";

/** KEYS: config. ARGV: name, config JSON, created_at, uid. */
const CREATE_LUA = `if redis.call('EXISTS', KEYS[1]) == 1 then
  return {'already_exists', 'table ' .. ARGV[1] .. ' already exists'}
end
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'config', ARGV[2], 'created_at', ARGV[3],
  'uid', ARGV[4], 'manifest_version', '0')
return {'ok'}`;

/** KEYS: config. ARGV: name, last_write. The latest write wins even when touches arrive out of order. */
const TOUCH_LUA = `${REQUIRE_TABLE_LUA}
local last = redis.call('HGET', KEYS[1], 'last_write')
if not last or tonumber(last) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'last_write', ARGV[2])
end
return {'ok'}`;

/**
 * KEYS: config, schemas, manifest, tombstones. ARGV: name. Deletes everything the table owns and
 * returns the manifest it had.
 */
const DELETE_LUA = `${REQUIRE_TABLE_LUA}
local version = tonumber(redis.call('HGET', KEYS[1], 'manifest_version'))
local files = redis.call('HGETALL', KEYS[3])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return {'ok', version, files}`;

/**
 * Table entries (`table:{<t>}:config`) and the `tables` index set that lists them without a SCAN.
 *
 * The index lives in another Cluster slot than the tables, so entry and index cannot change in
 * one script. The order of steps keeps "every table is in the index" true at rest whatever the
 * interleaving: create adds the name before and after writing the entry; delete removes the
 * entry, then the name, then puts the name back if a concurrent create has written the entry
 * meanwhile. A create that fails half-way can leave a name without an entry; listings skip it.
 */
export class RedisTableCatalog {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async create(table: TableEntry): Promise<void> {
    const createdAt = redisValues.millis(table.createdAt, "createdAt");
    const key = metadataKeys.table(table.name, "config");
    await this.#client.sadd(metadataKeys.tables(), table.name);
    const args = [table.name, JSON.stringify(table.config), String(createdAt), randomUUID()];
    const reply = await this.#client.eval(CREATE_LUA, 1, key, ...args);
    scriptValues(reply, "cannot create table", { table: table.name });
    await this.#client.sadd(metadataKeys.tables(), table.name);
  }

  async get(name: string): Promise<TableEntry | undefined> {
    return entryOf(await this.#client.hgetall(metadataKeys.table(name, "config")));
  }

  /** Every table, sorted by name: the index, then every entry (sent at once, so pipelined). */
  async list(): Promise<TableEntry[]> {
    const names = await this.#client.smembers(metadataKeys.tables());
    const entries = await Promise.all(names.map((name) => this.get(name)));
    return entries
      .filter((entry) => entry !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Deletes the table with its schemas, manifest and tombstones, then takes it out of the index.
   * Returns the manifest's version and HGETALL reply as it was.
   */
  async delete(name: string): Promise<{ version: number; files: string[] }> {
    const reply = await this.#client.eval(DELETE_LUA, 4, ...metadataKeys.tableKeys(name), name);
    const [version, files] = scriptValues(reply, "cannot delete table", { table: name }) as [
      number,
      string[],
    ];
    await this.unindex(name);
    return { version, files };
  }

  /** Takes a deleted table's name out of the index (see the class comment for the order). */
  async unindex(name: string): Promise<void> {
    await this.#client.srem(metadataKeys.tables(), name);
    if ((await this.#client.exists(metadataKeys.table(name, "config"))) === 1) {
      await this.#client.sadd(metadataKeys.tables(), name);
    }
  }

  async touch(name: string, lastWrite: Date): Promise<void> {
    const millis = redisValues.millis(lastWrite, "lastWrite");
    const reply = await this.#client.eval(
      TOUCH_LUA,
      1,
      metadataKeys.table(name, "config"),
      name,
      String(millis),
    );
    scriptValues(reply, "cannot touch table", { table: name });
  }

  async lastWrite(name: string): Promise<Date | undefined> {
    const [millis] = await this.#client.hmget(metadataKeys.table(name, "config"), "last_write");
    return millis ? new Date(Number(millis)) : undefined;
  }
}

function entryOf(hash: Record<string, string>): TableEntry | undefined {
  const { name, config, created_at: createdAt } = hash;
  if (name === undefined || config === undefined || createdAt === undefined) return undefined;
  return { name, config: JSON.parse(config) as TableConfig, createdAt: new Date(Number(createdAt)) };
}
