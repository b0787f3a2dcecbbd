import { randomUUID } from "node:crypto";
import { murmur3, type IdStrategy } from "@miniodb/core";

/** Snowflake epoch: 2020-01-01T00:00:00Z. */
const SNOWFLAKE_EPOCH_MS = 1_577_836_800_000;

/**
 * Makes ids for records written without one, per the table's `id_strategy`, prefixed with its
 * `id_prefix`. Every generated id satisfies the global id rule (letters, digits, `_`, `-`).
 *
 * - `uuid`: a random UUID v4.
 * - `snowflake`: 41 bits of milliseconds since 2020, 10 bits of node, 12 bits of counter, in
 *   decimal: unique per node, roughly time-ordered.
 * - `custom`: base-36 milliseconds + base-36 node and counter: short, time-ordered.
 * - `user_provided`: the client should send ids; when a record still has none and the table allows
 *   generation, a UUID is used.
 */
export function createIdGenerator(
  strategy: IdStrategy,
  prefix: string,
  nodeId: string,
  now = Date.now,
): () => string {
  const node = BigInt(murmur3(nodeId) % 1024);
  let lastMs = 0;
  let counter = 0;
  const tick = () => {
    let ms = Math.max(now(), lastMs);
    if (ms === lastMs) {
      counter = (counter + 1) % 4096;
      if (counter === 0) ms = lastMs + 1; // 4096 ids in one millisecond: borrow the next one
    } else {
      counter = 0;
    }
    lastMs = ms;
    return { ms, counter };
  };
  switch (strategy) {
    case "snowflake":
      return () => {
        const { ms, counter: sequence } = tick();
        return `${prefix}${((BigInt(ms - SNOWFLAKE_EPOCH_MS) << 22n) | (node << 12n) | BigInt(sequence)).toString()}`;
      };
    case "custom":
      return () => {
        const { ms, counter: sequence } = tick();
        return `${prefix}${ms.toString(36)}-${node.toString(36)}${sequence.toString(36).padStart(3, "0")}`;
      };
    case "uuid":
    case "user_provided":
      return () => `${prefix}${randomUUID()}`;
  }
}
