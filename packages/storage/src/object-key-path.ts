import { MiniodbError } from "@miniodb/core";

/** Directory under the root where partial writes live until they are renamed into place. */
export const TEMP_DIRECTORY = ".tmp";

/**
 * Checks that an object key is a safe relative path: `/`-separated non-empty segments, none of
 * them `.` or `..`, no backslash or NUL, and not inside the store's temp directory. Keys come from
 * the object-key module, so a failure here is a bug or an attack, never a user typo.
 */
export function checkObjectKey(key: string): string {
  const segments = key.split("/");
  const bad =
    key.length === 0 ||
    key.length > 1024 ||
    key.includes("\\") ||
    key.includes("\u0000") ||
    segments.some((segment) => segment === "" || segment === "." || segment === "..") ||
    segments[0] === TEMP_DIRECTORY;
  if (bad)
    throw new MiniodbError("invalid_argument", `invalid object key ${JSON.stringify(key.slice(0, 200))}`);
  return key;
}
