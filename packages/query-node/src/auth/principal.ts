import type { ApiKeyConfig, Role } from "./auth-config.js";

/** Who is calling: the API key behind the token, its role and its table allow-list. */
export interface Principal {
  readonly keyId: string;
  readonly role: Role;
  /** Lower-cased table names the key may touch; undefined means every table. */
  readonly tables: ReadonlySet<string> | undefined;
}

/** The caller when authentication is off: anything goes. */
export const ANONYMOUS: Principal = { keyId: "anonymous", role: "admin", tables: undefined };

/** The principal of a configured key. */
export function principalOf(key: ApiKeyConfig): Principal {
  return {
    keyId: key.id,
    role: key.role,
    tables: key.tables && new Set(key.tables.map((table) => table.toLowerCase())),
  };
}
