import { MiniodbError, type SerializedPayload } from "@miniodb/core";
import type { PreparedRecord, RecordInput } from "./record-preparer.js";
import type { TableState } from "./table-state.js";
import type { RecordError } from "./write-result.js";

/**
 * JSON.stringify writes a lone UTF-16 surrogate as a `\uD8xx`-style escape (well-formed pairs
 * stay literal), and Parquet conversion rejects it: such a row could never be flushed. The
 * look-behind skips escaped backslashes (`\\ud800` is the text "\ud800", which is fine).
 */
const LONE_SURROGATE = /(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

export interface PreparedBatch {
  readonly prepared: PreparedRecord[];
  readonly errors: RecordError[];
  /** Ids of the prepared records, in order. */
  readonly ids: string[];
  /** Whether the table's schema already covers every prepared payload (see `checkKeys`). */
  readonly covered: boolean;
}

/**
 * Applies a table's record rules to a write's records, whatever form their payloads came in:
 * id and timestamp rules, payload keys (acceptable names, no case collisions with columns or
 * within the batch), no lone surrogates, the size limit. With `partial`, a failing record is
 * reported by index and skipped; without, the first failure throws.
 */
export function prepareBatch(
  state: TableState,
  records: readonly RecordInput[],
  partial: boolean,
  maxBytes: number,
): PreparedBatch {
  const prepared: PreparedRecord[] = [];
  const errors: RecordError[] = [];
  const ids: string[] = [];
  const batchKeys = new Map<string, string>();
  let covered = true;
  // Payloads read from the wire share the keys and types arrays of the previous record when they
  // have its shape: the check of those keys then has the same outcome and changes nothing.
  let checkedKeys: readonly string[] | undefined;
  let checkedTypes: readonly unknown[] | undefined;
  let checkedCovered = true;
  for (let index = 0; index < records.length; index++) {
    try {
      const record = state.preparer.prepare(records[index]!);
      const { keys, types } = record.payload;
      let recordCovered: boolean = checkedCovered;
      if (keys !== checkedKeys || types !== checkedTypes) {
        recordCovered = state.checkKeys(record.payload, batchKeys);
        checkedKeys = keys;
        checkedTypes = types;
        checkedCovered = recordCovered;
      }
      checkPayload(record.payload, maxBytes);
      prepared.push(record);
      ids.push(record.id);
      covered &&= recordCovered;
    } catch (error) {
      const failure = MiniodbError.from(error);
      if (!partial) throw failure;
      errors.push({ index, code: failure.code, message: failure.message });
    }
  }
  return { prepared, errors, ids, covered };
}

/** The checks of checkPayloadText on a payload's UTF-8, without decoding it unless it escapes. */
function checkPayload(payload: SerializedPayload, maxBytes: number): void {
  const { utf8 } = payload;
  if (utf8 === undefined || hasUnicodeEscape(utf8)) return checkPayloadText(payload.json, maxBytes);
  if (utf8.length > maxBytes) {
    throw new MiniodbError(
      "payload_too_large",
      `the record's payload is ${utf8.length} bytes of JSON (UTF-8); the limit is ${maxBytes} (limits.max_record_bytes)`,
    );
  }
}

/** Whether the JSON text holds a `\u` escape (the only way it can spell a lone surrogate). */
function hasUnicodeEscape(utf8: Uint8Array): boolean {
  for (let index = utf8.indexOf(BACKSLASH); index >= 0; index = utf8.indexOf(BACKSLASH, index + 2))
    if (utf8[index + 1] === LETTER_U) return true;
  return false;
}

const BACKSLASH = 0x5c;
const LETTER_U = 0x75;

function checkPayloadText(json: string, maxBytes: number): void {
  if (json.includes("\\u") && LONE_SURROGATE.test(json)) {
    throw new MiniodbError(
      "invalid_argument",
      "the payload holds a string that is not valid Unicode (a lone surrogate)",
    );
  }
  // A UTF-16 code unit takes 1 to 3 bytes in UTF-8: count the bytes only when it can matter.
  if (json.length * 3 <= maxBytes) return;
  const bytes = json.length > maxBytes ? undefined : Buffer.byteLength(json, "utf8");
  if (bytes === undefined || bytes > maxBytes) {
    throw new MiniodbError(
      "payload_too_large",
      `the record's payload is ${bytes ?? `over ${json.length}`} bytes of JSON (UTF-8); the limit is ${maxBytes} (limits.max_record_bytes)`,
    );
  }
}
