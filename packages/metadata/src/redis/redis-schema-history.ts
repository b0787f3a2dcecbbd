import { metadataKeys, type ColumnDef, type SchemaEntry } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { REQUIRE_TABLE_LUA, scriptValues } from "./script-reply.js";
import { redisValues } from "./redis-values.js";

const EMPTY: SchemaEntry = Object.freeze({ version: 0, columns: Object.freeze([]) });

/** KEYS: schemas. Versions are 1..n without gaps (PUT_LUA enforces it), so n is the latest. */
const LATEST_LUA = `local n = redis.call('HLEN', KEYS[1])
if n == 0 then return {'ok', 0} end
return {'ok', n, redis.call('HGET', KEYS[1], tostring(n))}`;

/** KEYS: config, schemas. ARGV: table, version, columns JSON. The schema compare-and-swap. */
const PUT_LUA = `${REQUIRE_TABLE_LUA}
local latest = redis.call('HLEN', KEYS[2])
if tonumber(ARGV[2]) ~= latest + 1 then
  return {'aborted', 'schema of ' .. ARGV[1] .. ' is at version ' .. latest .. '; cannot store version ' .. ARGV[2]}
end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return {'ok'}`;

/** Every version of a table's columns in `table:{<t>}:schemas`: version → columns JSON. */
export class RedisSchemaHistory {
  readonly #client: RedisClient;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async latest(table: string): Promise<SchemaEntry> {
    const reply = await this.#client.eval_ro(LATEST_LUA, 1, metadataKeys.table(table, "schemas"));
    const [version, columns] = scriptValues(reply, `cannot read schema of ${table}`) as [number, string?];
    return columns === undefined ? EMPTY : { version, columns: JSON.parse(columns) as ColumnDef[] };
  }

  /** Every version, oldest first. */
  async list(table: string): Promise<SchemaEntry[]> {
    const hash = await this.#client.hgetall(metadataKeys.table(table, "schemas"));
    return Object.entries(hash)
      .map(([version, columns]) => ({
        version: Number(version),
        columns: JSON.parse(columns) as ColumnDef[],
      }))
      .sort((a, b) => a.version - b.version);
  }

  /** Stores the next version; `aborted` when another writer got there first. */
  async put(table: string, schema: SchemaEntry): Promise<void> {
    const version = redisValues.integer(schema.version, "schema version");
    const keys = [metadataKeys.table(table, "config"), metadataKeys.table(table, "schemas")];
    const reply = await this.#client.eval(
      PUT_LUA,
      2,
      ...keys,
      table,
      String(version),
      JSON.stringify(schema.columns),
    );
    scriptValues(reply, "cannot put schema", { table });
  }
}
