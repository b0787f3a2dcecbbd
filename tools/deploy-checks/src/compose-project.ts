import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseEnv } from "dotenv";
import { parse as parseYaml } from "yaml";
import { REPO_ROOT } from "./config-keys.js";

export const DOCKER_DIR = join(REPO_ROOT, "deploy/docker");

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string>;
  env_file?: string | string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** A compose file as Docker Compose sees it: YAML merge keys applied, `${VAR}`s filled from env. */
export interface ComposeProject {
  readonly file: ComposeFile;
  /** The variables of env.example (the file users copy to .env). */
  readonly env: Readonly<Record<string, string>>;
  /** Variables referenced as `${VAR}` with no default that env.example does not define. */
  readonly undefinedVariables: readonly string[];
}

export function loadComposeProject(dir = DOCKER_DIR): ComposeProject {
  const env = parseEnv(readFileSync(join(dir, "env.example"), "utf8"));
  const raw = parseYaml(readFileSync(join(dir, "docker-compose.yml"), "utf8"), { merge: true }) as unknown;
  const undefinedVariables = new Set<string>();
  const file = interpolate(raw, env, undefinedVariables) as ComposeFile;
  return { file, env, undefinedVariables: [...undefinedVariables] };
}

/** Compose interpolation: `${VAR}`, `${VAR:-default}`, and `$$` for a literal `$`. */
function interpolate(value: unknown, env: Record<string, string>, missing: Set<string>): unknown {
  if (typeof value === "string") {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
      (match, name?: string, fallback?: string) => {
        if (match === "$$") return "$";
        const found = env[name!];
        if (found !== undefined && found !== "") return found;
        if (fallback !== undefined) return fallback;
        missing.add(name!);
        return "";
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env, missing));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, env, missing)]),
    );
  }
  return value;
}

/** The environment a MinIODB node container gets: its env_file (.env = env.example), then `environment`. */
export function nodeEnvironment(project: ComposeProject, service: ComposeService): Record<string, string> {
  const fromFile = service.env_file ? project.env : {};
  return { ...fromFile, ...(service.environment ?? {}) };
}
