import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { MiniodbError } from "@miniodb/core";
import { configSchema, type Config } from "./config-schema.js";
import { aliasedSettings } from "./env-aliases.js";

/** Environment variables that set configuration keys start with this. */
export const ENV_PREFIX = "MINIODB_";
/** Environment variable naming the YAML file, when no `--config` flag is given. */
export const CONFIG_FILE_ENV = "MINIODB_CONFIG";

export interface LoadConfigOptions {
  /** YAML file path; falls back to `MINIODB_CONFIG`; none means defaults. */
  readonly file?: string | undefined;
  /** Usually `process.env`. `MINIODB_SERVER__GRPC_PORT=9090` sets `server.grpc_port`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags, as `{ "server.grpc_port": 9090 }`. Undefined values are ignored. */
  readonly flags?: Readonly<Record<string, unknown>>;
}

/**
 * Loads the node configuration once: YAML file, then the original deployment's variables
 * (`MINIO_*`, `REDIS_*`, see env-aliases.ts), then `MINIODB_*` variables, then flags. Every problem in
 * every source is reported together in one invalid_argument error.
 */
export function loadConfig({ file, env = {}, flags = {} }: LoadConfigOptions = {}): Config {
  const path = file ?? env[CONFIG_FILE_ENV];
  const raw: Record<string, unknown> = path ? readYamlFile(path) : {};
  const problems: string[] = [];
  for (const [dotted, value] of aliasedSettings(env)) setPath(raw, dotted.split("."), value);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV || value === undefined) continue;
    const keyPath = name.slice(ENV_PREFIX.length).toLowerCase().split("__");
    if (keyPath.some((part) => part.length === 0)) {
      problems.push(`${name}: expected MINIODB_<BLOCK>__<KEY>, e.g. MINIODB_SERVER__GRPC_PORT`);
      continue;
    }
    setPath(raw, keyPath, parseScalar(value));
  }
  for (const [dotted, value] of Object.entries(flags)) {
    if (value !== undefined) setPath(raw, dotted.split("."), value);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) problems.push(...describeIssues(parsed.error.issues));
  if (problems.length > 0 || !parsed.success) {
    throw new MiniodbError("invalid_argument", `invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return deepFreeze(parsed.data);
}

function readYamlFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new MiniodbError("invalid_argument", `cannot read configuration file ${path}`, { cause: error });
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MiniodbError("invalid_argument", `configuration file ${path} is not valid YAML: ${reason}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== "object" || Array.isArray(document)) {
    throw new MiniodbError("invalid_argument", `configuration file ${path} must hold a mapping of blocks`);
  }
  return document as Record<string, unknown>;
}

/** Environment values are YAML scalars, so `8080` is a number and `true` a boolean. */
function parseScalar(value: string): unknown {
  try {
    return parseYaml(value);
  } catch {
    return value;
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cursor = target;
  for (const key of path.slice(0, -1)) {
    const next = cursor[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) cursor[key] = {};
    cursor = cursor[key] as Record<string, unknown>;
  }
  cursor[path[path.length - 1]!] = value;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    const where = issue.path.join(".") || "(root)";
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => `${where === "(root)" ? key : `${where}.${key}`}: unknown key`);
    }
    return [`${where}: ${issue.message}`];
  });
}

/** The host name, reduced to the characters node ids allow. */
export function defaultNodeId(): string {
  const cleaned = hostname()
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "");
  return cleaned.slice(0, 63) || "miniodb-node";
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
