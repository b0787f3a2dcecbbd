import { MiniodbError } from "@miniodb/core";

/** Outcomes a store script reports as its first reply element instead of raising an error. */
const outcomes = ["not_found", "aborted", "already_exists"] as const;

/**
 * The store's Lua scripts answer `{"ok", ...values}` or `{outcome, reason}`, where outcome is one
 * of `not_found`, `aborted` (a lost compare-and-swap) or `already_exists`. Reporting these as
 * values keeps them apart from real Redis errors (which go through `fromRedisError`) and lets a
 * script check everything before it writes anything, so a refused change changes nothing.
 *
 * Returns the values after `"ok"`; throws the MiniodbError of any other outcome, with `context`
 * (e.g. `"cannot commit manifest of users"`) before the script's reason.
 */
export function scriptValues(
  reply: unknown,
  context: string,
  details: Record<string, string> = {},
): unknown[] {
  if (!Array.isArray(reply) || typeof reply[0] !== "string") {
    throw new MiniodbError("internal", `${context}: unexpected script reply ${JSON.stringify(reply)}`);
  }
  const [status, ...values] = reply as [string, ...unknown[]];
  if (status === "ok") return values;
  const outcome = outcomes.find((candidate) => candidate === status);
  if (!outcome) throw new MiniodbError("internal", `${context}: unknown script outcome ${status}`);
  throw new MiniodbError(outcome, `${context}: ${String(values[0] ?? outcome)}`, { details });
}

/** Lua for the `not_found` answer of a script whose KEYS[1] is the table's config hash. */
export const REQUIRE_TABLE_LUA = `if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'not_found', 'table ' .. ARGV[1] .. ' does not exist'}
end`;

/**
 * Lua `hmget_all(key, fields)`: HMGET of any number of fields, 1000 at a time, because Lua's
 * `unpack` fails beyond a few thousand values. Missing fields come back as nil replies.
 */
export const HMGET_ALL_LUA = `local function hmget_all(key, fields)
  local values = {}
  for i = 1, #fields, 1000 do
    local chunk = redis.call('HMGET', key, unpack(fields, i, math.min(i + 999, #fields)))
    for j = 1, #chunk do values[#values + 1] = chunk[j] end
  end
  return values
end`;
