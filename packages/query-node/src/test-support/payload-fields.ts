import type { SerializedPayload } from "@miniodb/core";

/**
 * A payload's text, keys and types as a plain object, comparable with deepEqual whichever form
 * it came in (a payload read into bytes decodes its text on demand).
 */
export function payloadFields(
  payload: SerializedPayload,
): Pick<SerializedPayload, "json" | "keys" | "types"> {
  return { json: payload.json, keys: payload.keys, types: payload.types };
}
