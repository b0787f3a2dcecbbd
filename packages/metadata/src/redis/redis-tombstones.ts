import { metadataKeys, type Tombstone } from "@miniodb/core";
import type { RedisClient } from "./redis-client.js";
import { REQUIRE_TABLE_LUA, scriptValues } from "./script-reply.js";
import { redisValues } from "./redis-values.js";

/**
 * Compares two decimal sequence strings without leading zeros exactly (Lua numbers are doubles,
 * so `tonumber` would round sequences above 2^53): the longer is larger, else byte by byte.
 */
const GREATER_LUA = `local function greater(a, b)
  if #a ~= #b then return #a > #b end
  for i = 1, #a do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return false
end
local function stored_sequence(key, id)
  local value = redis.call('HGET', key, id)
  return value and string.match(value, '^%["(%d+)"')
end`;

/**
 * KEYS: config, tombstones. ARGV: table, then id, sequence, soft, value quadruples. Higher
 * sequence wins; a soft tombstone replacing a hard one appends that one's sequence to its value
 * (replacing a soft one, it keeps what that one remembered).
 */
const ADD_LUA = `${REQUIRE_TABLE_LUA}
${GREATER_LUA}
for i = 2, #ARGV, 4 do
  local value = redis.call('HGET', KEYS[2], ARGV[i])
  local stored = value and string.match(value, '^%["(%d+)"')
  if not stored or greater(ARGV[i + 1], stored) then
    local new = ARGV[i + 3]
    if value and ARGV[i + 2] == '1' then
      local restore = string.match(value, '^%["%d+",0,') and stored or string.match(value, ',"(%d+)"%]$')
      if restore then new = string.sub(new, 1, -2) .. ',"' .. restore .. '"]' end
    end
    redis.call('HSET', KEYS[2], ARGV[i], new)
  end
end
redis.call('HINCRBY', KEYS[1], 'tombstones_version', 1)
return {'ok'}`;

/**
 * KEYS: config, tombstones. ARGV: table, then id, sequence pairs. A soft tombstone at exactly that
 * sequence gives way to the hard one it remembers, or goes.
 */
const RESTORE_LUA = `${REQUIRE_TABLE_LUA}
for i = 2, #ARGV, 2 do
  local value = redis.call('HGET', KEYS[2], ARGV[i])
  if value and string.match(value, '^%["(%d+)",1,') == ARGV[i + 1] then
    local restore = string.match(value, ',"(%d+)"%]$')
    if restore then
      local created = string.match(value, '^%["%d+",1,(%d+)')
      redis.call('HSET', KEYS[2], ARGV[i], '["' .. restore .. '",0,' .. created .. ']')
    else
      redis.call('HDEL', KEYS[2], ARGV[i])
    end
  end
end
redis.call('HINCRBY', KEYS[1], 'tombstones_version', 1)
return {'ok'}`;

/** KEYS: config, tombstones. ARGV: table, then id, sequence pairs. */
const RETIRE_LUA = `${REQUIRE_TABLE_LUA}
${GREATER_LUA}
for i = 2, #ARGV, 2 do
  local stored = stored_sequence(KEYS[2], ARGV[i])
  if stored and not greater(stored, ARGV[i + 1]) then redis.call('HDEL', KEYS[2], ARGV[i]) end
end
redis.call('HINCRBY', KEYS[1], 'tombstones_version', 1)
return {'ok'}`;

/** KEYS: config, tombstones. The table's identity, tombstone version and tombstones, in one atomic step. */
const LOAD_LUA = `local head = redis.call('HMGET', KEYS[1], 'uid', 'tombstones_version')
if not head[1] then return {'ok'} end
return {'ok', head[1], head[2] or '', redis.call('HGETALL', KEYS[2])}`;

type TombstoneValue = [sequence: string, soft: 0 | 1, createdAt: number, restoreSequence?: string];

/**
 * `table:{<t>}:tombstones`: one tombstone per record id, `["<sequence>",soft,created_at]` with
 * `,"<restore sequence>"` appended on a soft tombstone that replaced a hard one.
 */
export class RedisTombstones {
  readonly #client: RedisClient;
  readonly #lists = new Map<string, { uid: string; version: string | null; list: readonly Tombstone[] }>();

  constructor(client: RedisClient) {
    this.#client = client;
  }

  async add(table: string, tombstones: readonly Tombstone[]): Promise<void> {
    const args = tombstones.flatMap((tombstone) => {
      const sequence = redisValues.sequence(tombstone.sequence, "tombstone sequence");
      const createdAt = redisValues.millis(tombstone.createdAt, "tombstone createdAt");
      const value: TombstoneValue = [sequence, tombstone.soft ? 1 : 0, createdAt];
      return [tombstone.id, sequence, tombstone.soft ? "1" : "0", JSON.stringify(value)];
    });
    const reply = await this.#client.eval(ADD_LUA, 2, ...this.#keys(table), table, ...args);
    scriptValues(reply, "cannot add tombstones", { table });
  }

  /**
   * Every tombstone of the table, or those of `ids`, sorted by id. The whole list is kept and,
   * while the table's identity and tombstone version are those it was loaded with, answered again
   * (the same frozen array) after one HMGET; otherwise loaded again with its version in one atomic
   * step. Every tombstone change bumps the version.
   */
  async list(table: string, ids?: readonly string[]): Promise<readonly Tombstone[]> {
    const key = metadataKeys.table(table, "tombstones");
    if (ids !== undefined) return tombstonesOf(await this.#some(key, ids));
    const cached = this.#lists.get(table);
    if (cached) {
      const [uid, version = null] = await this.#client.hmget(
        metadataKeys.table(table, "config"),
        "uid",
        "tombstones_version",
      );
      if (uid === cached.uid && version === cached.version) return cached.list;
    }
    const reply = await this.#client.eval_ro(LOAD_LUA, 2, ...this.#keys(table));
    const [uid, version, flat] = scriptValues(reply, `cannot read tombstones of ${table}`) as [
      string?,
      string?,
      string[]?,
    ];
    if (uid === undefined || flat === undefined) {
      this.#lists.delete(table);
      return Object.freeze([]);
    }
    const entries: Array<[string, string]> = [];
    for (let index = 0; index + 1 < flat.length; index += 2) entries.push([flat[index]!, flat[index + 1]!]);
    const list = Object.freeze(tombstonesOf(entries));
    this.#lists.set(table, { uid, version: version === "" ? null : (version ?? null), list });
    return list;
  }

  /** The [id, value] pairs of the ids that have a tombstone. */
  async #some(key: string, ids: readonly string[]): Promise<Array<[string, string]>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const values = await this.#client.hmget(key, ...unique);
    return unique.flatMap((id, index) => {
      const value = values[index];
      return value === null || value === undefined ? [] : [[id, value] as [string, string]];
    });
  }

  async restore(table: string, soft: ReadonlyArray<{ id: string; sequence: bigint }>): Promise<void> {
    const args = soft.flatMap(({ id, sequence }) => [id, redisValues.sequence(sequence, "restore sequence")]);
    const reply = await this.#client.eval(RESTORE_LUA, 2, ...this.#keys(table), table, ...args);
    scriptValues(reply, "cannot restore tombstones", { table });
  }

  async retire(table: string, upTo: ReadonlyArray<{ id: string; sequence: bigint }>): Promise<void> {
    const args = upTo.flatMap(({ id, sequence }) => [id, redisValues.sequence(sequence, "retire sequence")]);
    const reply = await this.#client.eval(RETIRE_LUA, 2, ...this.#keys(table), table, ...args);
    scriptValues(reply, "cannot retire tombstones", { table });
  }

  #keys(table: string): string[] {
    return [metadataKeys.table(table, "config"), metadataKeys.table(table, "tombstones")];
  }
}

/** Tombstones from their hash entries, sorted by id. */
function tombstonesOf(entries: Array<[string, string]>): Tombstone[] {
  return entries
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, value]) => {
      const [sequence, soft, createdAt, restoreSequence] = JSON.parse(value) as TombstoneValue;
      return {
        id,
        sequence: BigInt(sequence),
        soft: soft === 1,
        createdAt: new Date(createdAt),
        ...(restoreSequence === undefined ? {} : { restoreSequence: BigInt(restoreSequence) }),
      };
    });
}
