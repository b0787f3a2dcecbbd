import { MiniodbError, parseTimestampMicros } from "@miniodb/core";
import type { RecordInput } from "@miniodb/worker-node";

const RECORD_FIELDS = new Set(["id", "timestamp", "payload"]);

/**
 * Reads one already-parsed JSON record `{id?, timestamp?, payload}` of a REST batch. Same rules
 * as the protobuf JSON mapping of DataRecord (null means absent, RFC 3339 timestamps, unknown keys
 * refused) without the round trip through protobuf messages, which dominated batch ingest.
 */
export function recordFromJson(item: unknown): RecordInput {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw invalid("a record must be a JSON object");
  }
  const record = item as Record<string, unknown>;
  for (const key in record) {
    if (!RECORD_FIELDS.has(key))
      throw invalid(`unknown field ${JSON.stringify(key)}: expected id, timestamp, payload`);
  }
  const { id, timestamp, payload } = record;
  if (id !== undefined && id !== null && typeof id !== "string") throw invalid("id must be a string");
  if (timestamp !== undefined && timestamp !== null && typeof timestamp !== "string") {
    throw invalid("timestamp must be an RFC 3339 string");
  }
  return {
    id: typeof id === "string" ? id : undefined,
    timestampMicros: typeof timestamp === "string" ? parseTimestampMicros(timestamp) : undefined,
    payload: payload ?? undefined,
  };
}

function invalid(message: string): MiniodbError {
  return new MiniodbError("invalid_argument", `invalid record: ${message}`);
}
