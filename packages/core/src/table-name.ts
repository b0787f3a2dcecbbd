import type { TableName } from "./branded.js";
import { MiniodbError } from "./miniodb-error.js";

/** A letter, then up to 63 letters, digits or underscores (the original's rule). */
export const TABLE_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
export const TABLE_NAME_MAX_LENGTH = 64;

/** Returns `name` as a TableName, or throws invalid_argument saying what is wrong with it. */
export function parseTableName(name: unknown): TableName {
  if (typeof name !== "string" || name.length === 0) {
    throw invalidTableName(name, "a table name is required");
  }
  if (name.length > TABLE_NAME_MAX_LENGTH) {
    throw invalidTableName(name, `it is longer than ${TABLE_NAME_MAX_LENGTH} characters`);
  }
  if (!TABLE_NAME_PATTERN.test(name)) {
    throw invalidTableName(
      name,
      "it must start with a letter and contain only letters, digits and underscores",
    );
  }
  return name as TableName;
}

export function isTableName(name: unknown): name is TableName {
  return typeof name === "string" && TABLE_NAME_PATTERN.test(name);
}

function invalidTableName(name: unknown, reason: string): MiniodbError {
  const shown = typeof name === "string" ? JSON.stringify(name.slice(0, 80)) : String(name);
  return new MiniodbError("invalid_argument", `invalid table name ${shown}: ${reason}`, {
    details: { field: "table" },
  });
}
