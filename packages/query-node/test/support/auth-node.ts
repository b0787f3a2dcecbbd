import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { hashSecret } from "../../src/auth/secret-hash.js";

/** The HS256 secret of test nodes: tests forge tokens with it to check every claim. */
export const TEST_JWT_SECRET = "test-secret-0123456789-abcdefghijklmnop";

export interface TestKey {
  readonly id: string;
  readonly secret: string;
  readonly role: "reader" | "writer" | "admin";
  readonly tables?: string[];
}

/** Writes a YAML config with auth on and `keys`; returns its path and the audit log file. */
export async function writeAuthConfig(keys: readonly TestKey[], extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "miniodb-auth-"));
  const auditFile = join(dir, "audit.log");
  const api_keys = await Promise.all(
    keys.map(async (key) => ({
      id: key.id,
      secret_hash: await hashSecret(key.secret),
      role: key.role,
      ...(key.tables ? { tables: key.tables } : {}),
    })),
  );
  const config = {
    auth: {
      enabled: true,
      api_keys,
      jwt: { secret: TEST_JWT_SECRET, access_ttl_seconds: 60 },
      audit: { file: auditFile },
      ...extra,
    },
  };
  const path = join(dir, "config.yaml");
  writeFileSync(path, stringify(config));
  return { path, auditFile };
}
