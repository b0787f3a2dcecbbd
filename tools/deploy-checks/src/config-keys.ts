import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ENV_PREFIX } from "@miniodb/query-node";

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * The configuration keys documented in docs/configuration.md, as exact keys and `prefix.*`
 * patterns. A row like `metadata.redis.host, port, db` documents three siblings.
 */
export function documentedConfigKeys(
  markdown = readFileSync(`${REPO_ROOT}docs/configuration.md`, "utf8"),
): string[] {
  const keys: string[] = [];
  for (const line of markdown.split("\n")) {
    // `auth.api_keys[]` documents a list: the key is `auth.api_keys`.
    const cell = /^\|\s*`([a-z_.*, [\]]+)`\s*\|/.exec(line)?.[1]?.replaceAll("[]", "");
    if (!cell || !cell.includes(".")) continue;
    const [first, ...siblings] = cell.split(",").map((part) => part.trim());
    keys.push(first!);
    const parent = first!.slice(0, first!.lastIndexOf(".") + 1);
    for (const sibling of siblings) keys.push(parent + sibling);
  }
  return keys;
}

/** Whether `key` is one of `keys`, directly or under a `prefix.*` pattern. */
export function isKnownKey(key: string, keys: readonly string[]): boolean {
  return keys.some((known) => (known.endsWith(".*") ? key.startsWith(known.slice(0, -1)) : key === known));
}

/** `MINIODB_TABLES__DEFAULTS__BUFFER_SIZE` → `tables.defaults.buffer_size`; undefined for other names. */
export function configKeyOfVariable(name: string): string | undefined {
  if (!name.startsWith(ENV_PREFIX) || name === "MINIODB_CONFIG") return undefined;
  return name.slice(ENV_PREFIX.length).toLowerCase().split("__").join(".");
}

/** The original deployment's variables (`REDIS_*`, `MINIO_*`) listed in docs/configuration.md. */
export function documentedVariables(
  markdown = readFileSync(`${REPO_ROOT}docs/configuration.md`, "utf8"),
): string[] {
  const section = markdown.slice(markdown.indexOf("### Variables of the original deployment"));
  return [...section.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]!);
}
