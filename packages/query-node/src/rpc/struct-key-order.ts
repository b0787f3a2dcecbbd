/**
 * protobuf-es stops at 100 nested messages per request; a payload Struct starts at depth 3
 * (request → DataRecord → Struct), so it may nest this many messages.
 */
export const MAX_STRUCT_DEPTH = 98;

/**
 * `undefined` when the keys keep their wire order in a JavaScript object (the common case: no
 * repeated key, no `__proto__`, no key that starts with a digit). Otherwise the indexes of the
 * entries a JavaScript object would hold, in its property order, found by building one: that is
 * what protobuf-es decodes into.
 */
export function entryOrder(keys: readonly string[]): number[] | undefined {
  if (!hasSpecialKey(keys)) return undefined;
  const slots: Record<string, number> = {};
  keys.forEach((key, index) => (slots[key] = index));
  return Object.keys(slots).map((key) => slots[key]!);
}

/** Whether a key repeats, is `__proto__` or starts with a digit (may be an array index). */
export function hasSpecialKey(keys: readonly string[]): boolean {
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57) || key === "__proto__") return true;
  }
  if (keys.length > 16) return new Set(keys).size !== keys.length;
  for (let i = 1; i < keys.length; i++) for (let j = 0; j < i; j++) if (keys[j] === keys[i]) return true;
  return false;
}
