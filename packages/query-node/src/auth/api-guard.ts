import { MiniodbError, type ErrorCode } from "@miniodb/core";
import { policyOf, roleAllows, type OperationName } from "./access-policy.js";
import type { AuditLog } from "./audit-log.js";
import { ANONYMOUS, type Principal } from "./principal.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { TokenService } from "./token-service.js";

export interface ApiGuardOptions {
  /** Set when authentication is on. */
  readonly tokens: TokenService | undefined;
  readonly limiter: RateLimiter;
  readonly audit: AuditLog;
  /** The tables a SQL statement reads (the SQL guard's table references). */
  readonly sqlTables: (sql: string) => Promise<readonly string[]>;
  /** Table of writes that name none. */
  readonly defaultTable: string;
  readonly maxSqlBytes: number;
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * The one enforcement point both protocols call (the Connect interceptor and the Hono
 * middleware): authenticates the bearer token, checks the role against the access policy, takes a
 * rate-limit token, checks table allow-lists and SQL length, and records audited operations.
 */
export class ApiGuard {
  readonly #options: ApiGuardOptions;

  constructor(options: ApiGuardOptions) {
    this.#options = options;
  }

  get defaultTable(): string {
    return this.#options.defaultTable;
  }

  /**
   * The caller, from the bearer token (unauthenticated when missing or invalid); anonymous for
   * public operations and while authentication is off.
   */
  async authenticate(
    operation: OperationName | undefined,
    authorization: string | null | undefined,
  ): Promise<Principal> {
    const { tokens } = this.#options;
    if (policyOf(operation).access === "public" || !tokens) return ANONYMOUS;
    if (!authorization) {
      throw new MiniodbError(
        "unauthenticated",
        "this call needs a token: send 'Authorization: Bearer <access_token>'",
      );
    }
    const match = authorization.length <= 8192 ? BEARER.exec(authorization) : null;
    if (!match) {
      throw new MiniodbError("unauthenticated", "the Authorization header must be 'Bearer <access_token>'");
    }
    return tokens.authenticate(match[1]!);
  }

  /** permission_denied when the role is too low, resource_exhausted past the rate limit. */
  authorize(operation: OperationName | undefined, principal: Principal): void {
    const policy = policyOf(operation);
    if (policy.access === "public") return;
    if (!roleAllows(principal.role, policy.access)) {
      throw new MiniodbError(
        "permission_denied",
        `${operation ?? "this call"} needs the ${policy.access} role; key ${principal.keyId} is ${principal.role}`,
      );
    }
    this.#options.limiter.take(principal.keyId);
  }

  /** permission_denied when the principal's allow-list lacks one of `tables` (empty names mean the default table). */
  checkTables(principal: Principal, tables: readonly string[]): string[] {
    const named = tables.map((table) => (table === "" ? this.#options.defaultTable : table));
    if (principal.tables) {
      const refused = named.filter((table) => !principal.tables!.has(table.toLowerCase()));
      if (refused.length > 0) {
        throw new MiniodbError(
          "permission_denied",
          `key ${principal.keyId} may not use table ${refused.join(", ")}`,
          { details: { tables: refused.join(",") } },
        );
      }
    }
    return named;
  }

  /** Checks SQL length, and the tables it reads against the allow-list; returns those tables. */
  async checkSql(principal: Principal, sql: string): Promise<string[]> {
    const bytes = Buffer.byteLength(sql, "utf8");
    if (bytes > this.#options.maxSqlBytes) {
      throw new MiniodbError(
        "payload_too_large",
        `the SQL is ${bytes} bytes, more than ${this.#options.maxSqlBytes} (limits.max_sql_bytes)`,
      );
    }
    if (!principal.tables) return [];
    return this.checkTables(principal, await this.#options.sqlTables(sql));
  }

  /** Records an audited operation's outcome; a no-op for operations the policy does not audit. */
  audit(
    operation: OperationName | undefined,
    event: {
      keyId: string;
      protocol: "rpc" | "rest";
      tables: readonly string[];
      startedAt: Date;
      startedMs: number;
    },
    outcome: "ok" | ErrorCode,
    name: string,
  ): void {
    if (!policyOf(operation).audit) return;
    this.#options.audit.record({
      operation: operation ?? name,
      keyId: event.keyId,
      protocol: event.protocol,
      tables: event.tables,
      startedAt: event.startedAt,
      durationMs: performance.now() - event.startedMs,
      outcome,
    });
  }
}
